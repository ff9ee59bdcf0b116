package io.streamrag.core.query;

import io.streamrag.core.embed.Embedder;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.ExtractiveGenerator;
import io.streamrag.core.generate.Generator;
import io.streamrag.core.search.HybridSearcher;
import io.streamrag.core.search.ReciprocalRankFusion;
import io.streamrag.core.search.RetrievalMode;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.VectorStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The plain query path: embed the question ({@link Embedder#embedQuery}), retrieve the query's top k chunks from
 * its collection with its filters ({@link HybridSearcher}), generate an answer from them. No rerank yet (its
 * timing is 0) and no degradation: every result says {@code normal}; failures of the embedder, store or generator
 * propagate as runtime exceptions for a resilience decorator or the caller to turn into a degraded or error
 * response.
 *
 * <p>Thread-safe when its parts are (the SPIs require it). It does not own the embedder, store or generator.
 */
public final class HybridQueryEngine implements QueryEngine {
    public static final String MODE_NORMAL = "normal";

    private final Embedder embedder;
    private final HybridSearcher searcher;
    private final Generator generator;
    private final RetrievalMode retrievalMode;

    private HybridQueryEngine(Builder builder) {
        this.embedder = builder.embedder;
        this.searcher = new HybridSearcher(builder.store, builder.candidates, new ReciprocalRankFusion(builder.rrfK));
        this.generator = builder.generator;
        this.retrievalMode = builder.retrievalMode;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public QueryResult answer(Query query) {
        Objects.requireNonNull(query, "query");
        long start = System.nanoTime();
        float[] vector = embed(query);
        long embedded = System.nanoTime();
        List<ScoredChunk> context = search(query, vector);
        long retrieved = System.nanoTime();
        Answer answer = generator.generate(query.text(), context);
        long generated = System.nanoTime();

        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put("embed", millis(start, embedded));
        timings.put("retrieve", millis(embedded, retrieved));
        timings.put("rerank", 0L);
        timings.put("generate", millis(retrieved, generated));
        timings.put("total", millis(start, generated));
        return new QueryResult(answer, MODE_NORMAL, timings);
    }

    /** The chunks {@link #answer} would generate from, best first: for evaluating retrieval on its own. */
    public List<ScoredChunk> retrieve(Query query) {
        Objects.requireNonNull(query, "query");
        return search(query, embed(query));
    }

    public RetrievalMode retrievalMode() {
        return retrievalMode;
    }

    private float[] embed(Query query) {
        // Keyword-only retrieval needs no vector; skipping the model keeps that mode usable without one.
        return retrievalMode == RetrievalMode.KEYWORD ? null : embedder.embedQuery(query.text());
    }

    private List<ScoredChunk> search(Query query, float[] vector) {
        SearchFilter filter = new SearchFilter(query.collection(), query.filters());
        return searcher.search(query.text(), vector, query.topK(), filter, retrievalMode);
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    /**
     * Builds a {@link HybridQueryEngine}. Required: {@code store}, and {@code embedder} unless the retrieval mode is
     * {@link RetrievalMode#KEYWORD}. Not thread-safe.
     */
    public static final class Builder {
        private Embedder embedder;
        private VectorStore store;
        private Generator generator = new ExtractiveGenerator();
        private RetrievalMode retrievalMode = RetrievalMode.HYBRID;
        private int candidates = HybridSearcher.DEFAULT_CANDIDATES;
        private int rrfK = ReciprocalRankFusion.DEFAULT_K;

        private Builder() {
        }

        /** Embeds questions; required unless {@link #retrievalMode} is KEYWORD. */
        public Builder embedder(Embedder embedder) {
            this.embedder = Objects.requireNonNull(embedder, "embedder");
            return this;
        }

        /** The store to search (required). */
        public Builder store(VectorStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Writes the answer (default: {@link ExtractiveGenerator} with its defaults). */
        public Builder generator(Generator generator) {
            this.generator = Objects.requireNonNull(generator, "generator");
            return this;
        }

        /** Which retrievers to use (default HYBRID). */
        public Builder retrievalMode(RetrievalMode retrievalMode) {
            this.retrievalMode = Objects.requireNonNull(retrievalMode, "retrievalMode");
            return this;
        }

        /** Hits each retriever contributes to fusion (default {@value HybridSearcher#DEFAULT_CANDIDATES}), > 0. */
        public Builder candidates(int candidates) {
            if (candidates <= 0) {
                throw new IllegalArgumentException("candidates must be > 0, got " + candidates);
            }
            this.candidates = candidates;
            return this;
        }

        /** The reciprocal rank fusion constant (default {@value ReciprocalRankFusion#DEFAULT_K}), > 0. */
        public Builder rrfK(int rrfK) {
            if (rrfK <= 0) {
                throw new IllegalArgumentException("rrfK must be > 0, got " + rrfK);
            }
            this.rrfK = rrfK;
            return this;
        }

        /** @throws IllegalStateException when a required part is missing */
        public HybridQueryEngine build() {
            if (store == null) {
                throw new IllegalStateException("store is required");
            }
            if (embedder == null && retrievalMode != RetrievalMode.KEYWORD) {
                throw new IllegalStateException("embedder is required for retrieval mode " + retrievalMode);
            }
            return new HybridQueryEngine(this);
        }
    }
}
