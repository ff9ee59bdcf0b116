package io.streamrag.core.rerank;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.SentenceSplitter;
import io.streamrag.core.chunk.Span;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.model.VectorMath;
import io.streamrag.core.store.ScoredChunk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The embedded default {@link Reranker}: needs no model beyond the bi-encoder that already embeds queries and
 * chunks. A chunk's vector averages everything it says, so a chunk with one sentence that answers the question
 * can rank below a chunk that is vaguely about the topic throughout. This reranker embeds each candidate's title
 * and each of its sentences separately ({@link Embedder#embedPassages}), takes the best cosine between the query
 * vector and any of them (max-sim), and fuses that ranking with the retrieval order by weighted reciprocal rank
 * fusion: {@code score = retrievalWeight / (k + retrievalRank) + 1 / (k + maxSimRank)}, k = 60. With
 * {@code retrievalWeight} 0 the order is pure max-sim.
 *
 * <p>Cost: one query embedding plus one passage embedding per sentence of each candidate not seen before; the
 * sentence vectors of the last {@code cacheSize} chunks are kept (chunk ids carry the document version, so a
 * kept entry never goes stale).
 *
 * <p>On a SciFact subset it did not help reliably (between -0.008 and +0.006 nDCG@10 over hybrid retrieval,
 * depending on the weight; {@code docs/evaluation.md}, section Rerank), so it is off by default: the engine runs
 * no reranker unless one is configured.
 *
 * <p>Thread-safe when the embedder is (the SPI requires it); the cache is guarded by a lock. Does not own the
 * embedder.
 */
public final class SentenceMaxSimReranker implements Reranker {
    public static final double DEFAULT_RETRIEVAL_WEIGHT = 1.0;
    public static final int DEFAULT_MAX_SENTENCES = 32;
    public static final int DEFAULT_CACHE_SIZE = 4096;
    private static final int RRF_K = 60;

    private final Embedder embedder;
    private final double retrievalWeight;
    private final int maxSentences;
    private final int cacheSize;
    private final Map<String, float[][]> sentenceVectors; // guarded by itself; LRU by access

    private SentenceMaxSimReranker(Builder b) {
        this.embedder = b.embedder;
        this.retrievalWeight = b.retrievalWeight;
        this.maxSentences = b.maxSentences;
        this.cacheSize = b.cacheSize;
        this.sentenceVectors = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[][]> eldest) {
                return size() > cacheSize;
            }
        };
    }

    /** A reranker with the defaults (retrieval weight 1, at most 32 sentences a chunk, 4096 chunks cached). */
    public static SentenceMaxSimReranker create(Embedder embedder) {
        return builder(embedder).build();
    }

    public static Builder builder(Embedder embedder) {
        return new Builder(embedder);
    }

    @Override
    public List<ScoredChunk> rerank(String query, List<ScoredChunk> candidates, int topK) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(candidates, "candidates");
        if (topK <= 0) {
            throw new IllegalArgumentException("topK must be > 0, got " + topK);
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        return RerankOrder.best(candidates, fusedScores(maxSimilarities(query, candidates), retrievalWeight), topK);
    }

    /**
     * Weighted reciprocal rank fusion of the retrieval order (index order of {@code maxSim}) and the max-sim order.
     */
    static double[] fusedScores(double[] maxSim, double retrievalWeight) {
        double[] maxSimRank = ranks(maxSim);
        double[] fused = new double[maxSim.length];
        for (int i = 0; i < fused.length; i++) {
            fused[i] = retrievalWeight / (RRF_K + i + 1) + 1.0 / (RRF_K + maxSimRank[i]);
        }
        return fused;
    }

    /**
     * The best cosine between the query and any unit (title or sentence) of each candidate.
     *
     * @throws RerankException when the embedder fails
     */
    double[] maxSimilarities(String query, List<ScoredChunk> candidates) {
        try {
            float[] q = embedder.embedQuery(query);
            float[][][] vectors = sentenceVectors(candidates);
            double[] best = new double[candidates.size()];
            for (int i = 0; i < best.length; i++) {
                best[i] = Double.NEGATIVE_INFINITY;
                for (float[] v : vectors[i]) {
                    best[i] = Math.max(best[i], VectorMath.dot(q, v));
                }
            }
            return best;
        } catch (RuntimeException e) {
            if (e instanceof RerankException || e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new RerankException("embedding sentences for max-sim rerank with " + embedder.modelId()
                    + " failed: " + e.getMessage(), e);
        }
    }

    private float[][][] sentenceVectors(List<ScoredChunk> candidates) {
        float[][][] out = new float[candidates.size()][][];
        List<Integer> missing = new ArrayList<>();
        synchronized (sentenceVectors) {
            for (int i = 0; i < out.length; i++) {
                out[i] = sentenceVectors.get(candidates.get(i).chunk().chunkId());
                if (out[i] == null) {
                    missing.add(i);
                }
            }
        }
        if (missing.isEmpty()) {
            return out;
        }
        // One embedder call for all missing chunks: the model batches far better than chunk by chunk.
        List<String> texts = new ArrayList<>();
        int[] counts = new int[missing.size()];
        for (int m = 0; m < missing.size(); m++) {
            List<String> units = units(candidates.get(missing.get(m)).chunk());
            counts[m] = units.size();
            texts.addAll(units);
        }
        List<float[]> embedded = embedder.embedPassages(texts);
        if (embedded.size() != texts.size()) {
            throw new RerankException("embedder " + embedder.modelId() + " returned " + embedded.size()
                    + " vectors for " + texts.size() + " sentences");
        }
        int next = 0;
        for (int m = 0; m < missing.size(); m++) {
            float[][] vectors = embedded.subList(next, next + counts[m]).toArray(new float[0][]);
            next += counts[m];
            out[missing.get(m)] = vectors;
        }
        synchronized (sentenceVectors) {
            for (int m : missing) {
                sentenceVectors.put(candidates.get(m).chunk().chunkId(), out[m]);
            }
        }
        return out;
    }

    /** The title (when there is one) and the sentences of the chunk, at most {@code maxSentences} of them. */
    private List<String> units(Chunk chunk) {
        List<String> units = new ArrayList<>();
        if (!chunk.title().isBlank()) {
            units.add(chunk.title());
        }
        String text = chunk.text();
        for (Span sentence : SentenceSplitter.split(text, new Span(0, text.length()))) {
            if (units.size() >= maxSentences) {
                break;
            }
            units.add(sentence.of(text));
        }
        if (units.isEmpty()) {
            // A blank chunk still needs a vector; its own (empty) text keeps the embedder's contract.
            units.add(text);
        }
        return units;
    }

    /** 1-based ranks of {@code scores}, highest first; ties share the order of appearance. */
    private static double[] ranks(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a])
                : Integer.compare(a, b));
        double[] ranks = new double[scores.length];
        for (int r = 0; r < order.length; r++) {
            ranks[order[r]] = r + 1;
        }
        return ranks;
    }

    @Override
    public String toString() {
        return "SentenceMaxSimReranker[" + embedder.modelId() + ", retrievalWeight=" + retrievalWeight + "]";
    }

    /** Settings of a {@link SentenceMaxSimReranker}; each setter validates its value. Not thread-safe. */
    public static final class Builder {
        private final Embedder embedder;
        private double retrievalWeight = DEFAULT_RETRIEVAL_WEIGHT;
        private int maxSentences = DEFAULT_MAX_SENTENCES;
        private int cacheSize = DEFAULT_CACHE_SIZE;

        private Builder(Embedder embedder) {
            this.embedder = Objects.requireNonNull(embedder, "embedder");
        }

        /** Weight of the retrieval order against the max-sim order in the fusion (default 1), >= 0. */
        public Builder retrievalWeight(double retrievalWeight) {
            if (!(retrievalWeight >= 0) || Double.isInfinite(retrievalWeight)) {
                throw new IllegalArgumentException("retrievalWeight must be a finite number >= 0, got "
                        + retrievalWeight);
            }
            this.retrievalWeight = retrievalWeight;
            return this;
        }

        /** The most units (title and sentences) embedded per chunk (default 32), > 0; the rest are ignored. */
        public Builder maxSentences(int maxSentences) {
            if (maxSentences <= 0) {
                throw new IllegalArgumentException("maxSentences must be > 0, got " + maxSentences);
            }
            this.maxSentences = maxSentences;
            return this;
        }

        /** Chunks whose sentence vectors are kept (default 4096), >= 0. */
        public Builder cacheSize(int cacheSize) {
            if (cacheSize < 0) {
                throw new IllegalArgumentException("cacheSize must be >= 0, got " + cacheSize);
            }
            this.cacheSize = cacheSize;
            return this;
        }

        public SentenceMaxSimReranker build() {
            return new SentenceMaxSimReranker(this);
        }
    }
}
