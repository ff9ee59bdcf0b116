package io.streamrag.ingest;

import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingException;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.embed.TokenCounter;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * A fast, deterministic test embedder: whitespace tokens, a unit vector derived from the text's hash, and an
 * {@link EmbeddingException} for every call that contains a text with {@link #POISON} (a document the model
 * cannot take). Thread-safe (stateless).
 */
final class PoisonSensitiveEmbedder implements Embedder {
    static final String POISON = "POISON";
    /** The default model's, so that the job's store (sized by the configured model) takes the vectors. */
    static final int DIMENSION = EmbeddingModel.DEFAULT.dimension();

    /** A serializable factory, for the operator. */
    static SerializableSupplier<Embedder> factory() {
        return PoisonSensitiveEmbedder::new;
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (String text : texts) {
            if (text.contains(POISON)) {
                throw new EmbeddingException("the test model cannot take '" + POISON + "'");
            }
            vectors.add(vectorOf(text));
        }
        return vectors;
    }

    @Override
    public float[] embedQuery(String text) {
        return vectorOf(text);
    }

    private static float[] vectorOf(String text) {
        float[] v = new float[DIMENSION];
        int h = text.hashCode();
        double norm = 0;
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = ((h >>> (i % 8 * 4)) & 0xF) + 1 + i % 3;
            norm += v[i] * v[i];
        }
        for (int i = 0; i < DIMENSION; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public String modelId() {
        return "poison-sensitive-test";
    }

    @Override
    public TokenCounter tokenCounter() {
        return text -> text.isBlank() ? 0 : text.trim().split("\\s+").length;
    }

    @Override
    public void close() {
        // nothing to release
    }
}
