package io.streamrag.core.eval;

import io.streamrag.core.embed.Embedder;
import io.streamrag.core.query.HybridQueryEngine;
import io.streamrag.core.query.Query;
import io.streamrag.core.rerank.Reranker;
import io.streamrag.core.search.ReciprocalRankFusion;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.VectorStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Scores retrieval modes on a judged query set, retrieving through {@link HybridQueryEngine#retrieve} (the code
 * the query processor runs) and ranking documents by their best chunk ({@link DocumentRanking}).
 *
 * <p>Each query retrieves chunks until {@value #DOCUMENTS} distinct documents are ranked (recall@100 needs them):
 * first {@code initialChunks} chunks, doubled while too few documents came back and the store had more. In hybrid
 * modes each retriever then contributes that many candidates to fusion (the engine raises its candidates to k),
 * so fusion runs deeper than in a production query asking for 5 chunks (docs/evaluation.md measures the difference
 * on SciFact: nDCG@10 within 0.002).
 *
 * <p>{@link EvalMode#HYBRID_RERANK} hands the first {@code rerankDepth} hybrid chunks to the reranker (the same
 * {@link Reranker#rerank} call the engine makes, without its time limit: a measurement must not degrade) and keeps
 * the rest in retrieval order behind them, so recall@100 stays defined.
 *
 * <p>Not thread-safe; does not own the store, embedder or reranker.
 */
public final class RetrievalEvaluation {
    /** Documents ranked per query: the deepest cut-off reported (recall@100). */
    public static final int DOCUMENTS = 100;
    /** The most chunks one query retrieves while filling {@value #DOCUMENTS} documents. */
    static final int MAX_CHUNKS = 6400;

    private final VectorStore store;
    private final Embedder embedder;
    private final String collection;
    private final int candidates;
    private final int rrfK;
    private final int initialChunks;
    private final Reranker reranker;
    private final int rerankDepth;

    private RetrievalEvaluation(Builder b) {
        this.store = b.store;
        this.embedder = b.embedder;
        this.collection = b.collection;
        this.candidates = b.candidates;
        this.rrfK = b.rrfK;
        this.initialChunks = b.initialChunks;
        this.reranker = b.reranker;
        this.rerankDepth = b.rerankDepth;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs every query in {@code queries} (query id → text, in order) with {@code mode} and averages the metrics
     * over those with a relevant document in {@code qrels}. A reranked mode without a reranker is reported as
     * unavailable, not run.
     */
    public RunResult run(EvalMode mode, Map<String, String> queries, Qrels qrels) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(queries, "queries");
        Objects.requireNonNull(qrels, "qrels");
        if (mode.reranked() && reranker == null) {
            return RunResult.unavailable(mode.label(), "no reranker configured");
        }
        HybridQueryEngine.Builder engineBuilder = HybridQueryEngine.builder()
                .store(store)
                .retrievalMode(mode.retrievalMode())
                .candidates(candidates)
                .rrfK(rrfK);
        if (embedder != null) {
            engineBuilder.embedder(embedder);
        }
        RunEvaluator evaluator = new RunEvaluator(mode.label(), qrels);
        try (HybridQueryEngine engine = engineBuilder.build()) {
            for (Map.Entry<String, String> query : queries.entrySet()) {
                long start = System.nanoTime();
                List<ScoredChunk> chunks = retrieve(engine, query.getValue());
                if (mode.reranked()) {
                    chunks = rerank(query.getValue(), chunks);
                }
                List<String> ranking = DocumentRanking.of(chunks);
                long elapsed = System.nanoTime() - start;
                evaluator.add(query.getKey(), ranking.subList(0, Math.min(DOCUMENTS, ranking.size())), elapsed);
            }
        }
        return evaluator.result();
    }

    private List<ScoredChunk> retrieve(HybridQueryEngine engine, String text) {
        int k = initialChunks;
        while (true) {
            List<ScoredChunk> chunks = engine.retrieve(new Query(collection, text, Map.of(), k));
            boolean exhausted = chunks.size() < k;
            if (exhausted || k >= MAX_CHUNKS || DocumentRanking.of(chunks).size() >= DOCUMENTS) {
                return chunks;
            }
            k = Math.min(MAX_CHUNKS, k * 2);
        }
    }

    private List<ScoredChunk> rerank(String text, List<ScoredChunk> chunks) {
        int depth = Math.min(rerankDepth, chunks.size());
        if (depth == 0) {
            return chunks;
        }
        List<ScoredChunk> reranked = reranker.rerank(text, chunks.subList(0, depth), depth);
        // The reranker may return fewer than it was given; the rest keep their retrieval order behind them.
        Map<String, ScoredChunk> byId = new LinkedHashMap<>();
        reranked.forEach(hit -> byId.put(hit.chunk().chunkId(), hit));
        chunks.forEach(hit -> byId.putIfAbsent(hit.chunk().chunkId(), hit));
        return new ArrayList<>(byId.values());
    }

    /**
     * Builds a {@link RetrievalEvaluation}. Required: {@code store} and {@code collection}; {@code embedder} unless
     * only {@link EvalMode#BM25} runs. Not thread-safe.
     */
    public static final class Builder {
        private VectorStore store;
        private Embedder embedder;
        private String collection;
        private int candidates = HybridQueryEngine.DEFAULT_CANDIDATES;
        private int rrfK = ReciprocalRankFusion.DEFAULT_K;
        private int initialChunks = 200;
        private Reranker reranker;
        private int rerankDepth = HybridQueryEngine.DEFAULT_RERANK_DEPTH;

        private Builder() {
        }

        /** The store to search (required). */
        public Builder store(VectorStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Embeds the queries; required for every mode but bm25. */
        public Builder embedder(Embedder embedder) {
            this.embedder = Objects.requireNonNull(embedder, "embedder");
            return this;
        }

        /** The collection the queries run against (required). */
        public Builder collection(String collection) {
            this.collection = Objects.requireNonNull(collection, "collection");
            return this;
        }

        /** Hits each retriever contributes to fusion at least (default {@value HybridQueryEngine#DEFAULT_CANDIDATES}). */
        public Builder candidates(int candidates) {
            this.candidates = requirePositive("candidates", candidates);
            return this;
        }

        /** The reciprocal rank fusion constant (default {@value ReciprocalRankFusion#DEFAULT_K}). */
        public Builder rrfK(int rrfK) {
            this.rrfK = requirePositive("rrfK", rrfK);
            return this;
        }

        /** Chunks a query retrieves first, doubled until {@value #DOCUMENTS} documents are ranked (default 200). */
        public Builder initialChunks(int initialChunks) {
            this.initialChunks = requirePositive("initialChunks", initialChunks);
            return this;
        }

        /** The reranker of {@link EvalMode#HYBRID_RERANK}; without one that mode is reported unavailable. */
        public Builder reranker(Optional<Reranker> reranker) {
            this.reranker = Objects.requireNonNull(reranker, "reranker").orElse(null);
            return this;
        }

        /**
         * Hybrid chunks handed to the reranker per query (default: the query path's,
         * {@value HybridQueryEngine#DEFAULT_RERANK_DEPTH}).
         */
        public Builder rerankDepth(int rerankDepth) {
            this.rerankDepth = requirePositive("rerankDepth", rerankDepth);
            return this;
        }

        /** @throws IllegalStateException when the store or collection is missing */
        public RetrievalEvaluation build() {
            if (store == null) {
                throw new IllegalStateException("store is required");
            }
            if (collection == null) {
                throw new IllegalStateException("collection is required");
            }
            return new RetrievalEvaluation(this);
        }

        private static int requirePositive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be > 0, got " + value);
            }
            return value;
        }
    }
}
