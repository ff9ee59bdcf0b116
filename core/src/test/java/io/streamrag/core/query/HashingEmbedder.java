package io.streamrag.core.query;

import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.TokenCounter;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A deterministic test-only {@link Embedder}: a signed hashed bag of words (lower-cased, stop words out, a
 * trailing plural "s" cut), L2-normalised. Texts sharing words point in similar directions, which is all the
 * query-engine and resilience tests need. Thread-safe (stateless).
 */
public final class HashingEmbedder implements Embedder {
    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "are", "as", "at", "be", "by", "does",
            "do", "for", "from", "how", "in", "is", "it", "of", "on", "or", "the", "to", "what", "when", "where",
            "which", "who", "why", "with");

    private final int dimension;

    public HashingEmbedder(int dimension) {
        this.dimension = dimension;
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) {
        return texts.stream().map(this::embed).toList();
    }

    @Override
    public float[] embedQuery(String text) {
        return embed(text);
    }

    private float[] embed(String text) {
        float[] v = new float[dimension];
        for (String word : NON_WORD.split(text.toLowerCase(Locale.ROOT))) {
            if (word.isEmpty() || STOP_WORDS.contains(word)) {
                continue;
            }
            String term = word.length() > 3 && word.endsWith("s") ? word.substring(0, word.length() - 1) : word;
            int hash = term.hashCode();
            v[Math.floorMod(hash, dimension)] += (hash & 0x40000000) == 0 ? 1f : -1f;
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        if (norm == 0) {
            // No words: any fixed unit vector keeps the contract (unit length) and the search valid.
            v[0] = 1f;
            return v;
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < v.length; i++) {
            v[i] *= scale;
        }
        return v;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public String modelId() {
        return "test-hashing-bow-" + dimension;
    }

    @Override
    public TokenCounter tokenCounter() {
        return text -> NON_WORD.split(text.strip()).length;
    }

    @Override
    public void close() {
    }
}
