package io.streamrag.core.query;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.ExtractiveGenerator;
import io.streamrag.core.generate.Generator;
import io.streamrag.core.rerank.RerankException;
import io.streamrag.core.rerank.Reranker;
import io.streamrag.core.resilience.QueryBreakers;
import io.streamrag.core.resilience.TimeLimitedReranker;
import io.streamrag.core.search.ReciprocalRankFusion;
import io.streamrag.core.search.RetrievalMode;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.VectorStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query path with its degradation ladder: embed the question, retrieve candidates by dense kNN and/or BM25
 * (fused with {@link ReciprocalRankFusion} in {@link RetrievalMode#HYBRID}), optionally rerank them, and generate
 * an answer from the best {@code topK}. Every dependency sits behind its own circuit breaker
 * ({@link QueryBreakers}); the reranker also behind a time limit ({@link TimeLimitedReranker}).
 *
 * <p>{@link #answer} never lets a dependency's failure escape; it steps down the ladder instead and says so in
 * {@link QueryResult#degradationMode()} (the most severe rung that applied, see {@link DegradationMode}):
 * <ul>
 *   <li>reranker fails, times out or its breaker is open → {@code no_rerank}: the retrieval order is kept;</li>
 *   <li>BM25 fails → {@code dense_only}; dense search fails → {@code keyword_only};</li>
 *   <li>embedder fails → the vector of the same question from the engine's small in-process cache of recent
 *       query embeddings ({@code cache_only}, cache hit {@value #EMBEDDING_FALLBACK_CACHE}), else
 *       {@code keyword_only};</li>
 *   <li>primary generator fails → the fallback generator answers ({@code fallback_llm});</li>
 *   <li>no retriever works, or no generator → {@code error}, with an answer saying why (never silence).</li>
 * </ul>
 * Configured single-retriever modes fall back to the other retriever: DENSE to BM25 ({@code keyword_only}),
 * KEYWORD to dense ({@code dense_only}, when an embedder is configured).
 *
 * <p>{@link #retrieve} is strict, for evaluation: it runs the same retrieval and rerank but lets failures
 * propagate, so a degraded run can never pass for a measurement.
 *
 * <p>Thread-safe when its parts are (the SPIs require it). It does not own the embedder, store, reranker or
 * generators; it owns the reranker's time-limit workers, which {@link #close()} stops.
 */
public final class HybridQueryEngine implements QueryEngine, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HybridQueryEngine.class);

    public static final String MODE_NORMAL = DegradationMode.NORMAL.wireName();
    /** The {@link QueryResult#cacheHits()} entry of a query answered with a cached query vector. */
    public static final String EMBEDDING_FALLBACK_CACHE = "query-embedding";
    /** Hits each retriever contributes to fusion by default (raised to the number of results asked for). */
    public static final int DEFAULT_CANDIDATES = 50;
    public static final int DEFAULT_RERANK_DEPTH = 20;
    public static final Duration DEFAULT_RERANK_TIMEOUT = Duration.ofSeconds(3);
    public static final int DEFAULT_RERANK_CONCURRENCY = 4;
    public static final int DEFAULT_EMBEDDING_CACHE_SIZE = 1024;

    private final Embedder embedder;
    private final VectorStore store;
    private final Reranker reranker;
    private final TimeLimitedReranker timeLimitedReranker;
    private final Generator primaryGenerator;
    private final Generator fallbackGenerator;
    private final RetrievalMode retrievalMode;
    private final int candidates;
    private final ReciprocalRankFusion fusion;
    private final int rerankDepth;
    private final RecentQueryEmbeddings recentEmbeddings;
    private final QueryBreakers breakers;

    private HybridQueryEngine(Builder b) {
        this.breakers = b.breakers != null ? b.breakers : QueryBreakers.withDefaults();
        this.embedder = b.embedder == null ? null : breakers.embedder(b.embedder);
        this.store = breakers.store(b.store);
        if (b.reranker != null) {
            // The breaker sits outside the time limit, so an open breaker costs no worker thread.
            this.timeLimitedReranker = new TimeLimitedReranker(b.reranker, b.rerankTimeout, b.rerankConcurrency);
            this.reranker = breakers.reranker(timeLimitedReranker);
        } else {
            this.timeLimitedReranker = null;
            this.reranker = null;
        }
        this.primaryGenerator = breakers.primaryGenerator(b.generator);
        this.fallbackGenerator = b.fallbackGenerator;
        this.retrievalMode = b.retrievalMode;
        this.candidates = b.candidates;
        this.fusion = new ReciprocalRankFusion(b.rrfK);
        this.rerankDepth = b.rerankDepth;
        this.recentEmbeddings = new RecentQueryEmbeddings(b.embeddingCacheSize);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@inheritDoc} Never throws for a dependency's failure: see the class comment for the ladder. */
    @Override
    public QueryResult answer(Query query) {
        Objects.requireNonNull(query, "query");
        Attempt attempt = new Attempt(query, true);
        long start = System.nanoTime();
        if (retrievalMode != RetrievalMode.KEYWORD) {
            attempt.vector();
        }
        long embedded = System.nanoTime();
        List<ScoredChunk> hits = attempt.retrieve();
        long retrieved = System.nanoTime();
        List<ScoredChunk> context = hits == null ? List.of() : attempt.rerank(hits);
        long reranked = System.nanoTime();
        Answer answer = hits == null ? attempt.retrievalFailed() : attempt.generate(context);
        long generated = System.nanoTime();

        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put("embed", millis(start, embedded));
        timings.put("retrieve", millis(embedded, retrieved));
        // Without a reranker there is no rerank stage: 0, not the microseconds of cutting the list.
        timings.put("rerank", reranker == null ? 0L : millis(retrieved, reranked));
        timings.put("generate", millis(reranked, generated));
        timings.put("total", millis(start, generated));
        return new QueryResult(answer, attempt.mode().wireName(), timings, attempt.cacheHits);
    }

    /**
     * The chunks {@link #answer} would generate from when nothing fails, best first: retrieval, then rerank when
     * a reranker is configured. Strict: a failing dependency throws instead of degrading, for evaluation.
     */
    public List<ScoredChunk> retrieve(Query query) {
        Objects.requireNonNull(query, "query");
        Attempt attempt = new Attempt(query, false);
        return attempt.rerank(attempt.retrieve());
    }

    public RetrievalMode retrievalMode() {
        return retrievalMode;
    }

    /** The circuit breakers of this engine's dependencies, for metrics and health checks. */
    public QueryBreakers breakers() {
        return breakers;
    }

    /**
     * Stops the reranker's time-limit workers, so later answers skip the reranker ({@code no_rerank}); the
     * engine's parts stay open (their owners close them). Idempotent.
     */
    @Override
    public void close() {
        if (timeLimitedReranker != null) {
            timeLimitedReranker.close();
        }
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    /**
     * One query's way through the pipeline: what failed and which rungs applied. Confined to one call. When
     * {@code degrade} is false, failures propagate instead.
     */
    private final class Attempt {
        private final Query query;
        private final boolean degrade;
        private final SearchFilter filter;
        private final Set<DegradationMode> modes = EnumSet.noneOf(DegradationMode.class);
        private final Map<String, String> failures = new LinkedHashMap<>();
        private final List<String> cacheHits = new ArrayList<>();
        private boolean embedAttempted;
        private float[] vector;

        Attempt(Query query, boolean degrade) {
            this.query = query;
            this.degrade = degrade;
            this.filter = new SearchFilter(query.collection(), query.filters());
        }

        DegradationMode mode() {
            return DegradationMode.mostSevere(modes);
        }

        /** The query vector, embedding at most once per attempt; null when neither the model nor the cache has it. */
        float[] vector() {
            if (embedAttempted) {
                return vector;
            }
            embedAttempted = true;
            if (embedder == null) {
                failures.put("embedder", "none configured");
                return null;
            }
            try {
                vector = embedder.embedQuery(query.text());
                recentEmbeddings.put(embedder.modelId(), query.text(), vector);
            } catch (RuntimeException e) {
                if (!degrade) {
                    throw e;
                }
                Optional<float[]> cached = recentEmbeddings.get(embedder.modelId(), query.text());
                if (cached.isPresent()) {
                    vector = cached.get();
                    modes.add(DegradationMode.CACHE_ONLY);
                    cacheHits.add(EMBEDDING_FALLBACK_CACHE);
                    log("embedder", e, "using the cached query vector");
                } else {
                    failed("embedder", e, "no cached query vector");
                }
            }
            return vector;
        }

        /** The candidates to rerank, best first; null when every retriever failed. */
        List<ScoredChunk> retrieve() {
            int wanted = reranker != null ? Math.max(rerankDepth, query.topK()) : query.topK();
            switch (retrievalMode) {
                case HYBRID: {
                    int perRetriever = Math.max(candidates, wanted);
                    List<ScoredChunk> dense = searchDense(perRetriever);
                    List<ScoredChunk> keyword = searchKeyword(perRetriever);
                    if (dense != null && keyword != null) {
                        return fusion.fuse(List.of(dense, keyword), wanted);
                    }
                    if (dense != null) {
                        modes.add(DegradationMode.DENSE_ONLY);
                        return head(dense, wanted);
                    }
                    if (keyword != null) {
                        modes.add(DegradationMode.KEYWORD_ONLY);
                        return head(keyword, wanted);
                    }
                    return null;
                }
                case DENSE: {
                    List<ScoredChunk> dense = searchDense(wanted);
                    if (dense != null) {
                        return dense;
                    }
                    List<ScoredChunk> keyword = searchKeyword(wanted);
                    if (keyword != null) {
                        modes.add(DegradationMode.KEYWORD_ONLY);
                    }
                    return keyword;
                }
                case KEYWORD: {
                    List<ScoredChunk> keyword = searchKeyword(wanted);
                    if (keyword != null) {
                        return keyword;
                    }
                    List<ScoredChunk> dense = searchDense(wanted);
                    if (dense != null) {
                        modes.add(DegradationMode.DENSE_ONLY);
                    }
                    return dense;
                }
                default:
                    throw new IllegalStateException("unhandled retrieval mode " + retrievalMode);
            }
        }

        private List<ScoredChunk> searchDense(int k) {
            float[] v = vector();
            if (v == null) {
                return null;
            }
            try {
                return store.searchDense(v, k, filter);
            } catch (RuntimeException e) {
                if (!degrade) {
                    throw e;
                }
                failed("dense search", e, "trying keyword search");
                return null;
            }
        }

        private List<ScoredChunk> searchKeyword(int k) {
            try {
                return store.searchKeyword(query.text(), k, filter);
            } catch (RuntimeException e) {
                if (!degrade) {
                    throw e;
                }
                failed("keyword search", e, "trying dense search");
                return null;
            }
        }

        /** The best topK of {@code hits}: reranked, or in retrieval order when there is no reranker or it failed. */
        List<ScoredChunk> rerank(List<ScoredChunk> hits) {
            if (reranker == null || hits.isEmpty()) {
                return head(hits, query.topK());
            }
            try {
                return head(checkSubset(reranker.rerank(query.text(), hits, query.topK()), hits), query.topK());
            } catch (RuntimeException e) {
                if (!degrade) {
                    throw e;
                }
                modes.add(DegradationMode.NO_RERANK);
                log("reranker", e, "keeping the retrieval order");
                return head(hits, query.topK());
            }
        }

        Answer generate(List<ScoredChunk> context) {
            try {
                return primaryGenerator.generate(query.text(), context);
            } catch (RuntimeException e) {
                if (fallbackGenerator == null) {
                    failed("primary generator", e, "no fallback generator configured");
                    modes.add(DegradationMode.ERROR);
                    return errorAnswer("the answer generator failed and no fallback generator is configured");
                }
                failed("primary generator", e, "answering with the fallback generator");
                modes.add(DegradationMode.FALLBACK_LLM);
            }
            try {
                return fallbackGenerator.generate(query.text(), context);
            } catch (RuntimeException e) {
                failed("fallback generator", e, "no generator left");
                modes.add(DegradationMode.ERROR);
                return errorAnswer("both the primary and the fallback answer generator failed");
            }
        }

        Answer retrievalFailed() {
            modes.add(DegradationMode.ERROR);
            return errorAnswer("all retrieval failed");
        }

        private Answer errorAnswer(String what) {
            StringBuilder text = new StringBuilder("The question could not be answered: ").append(what);
            if (!failures.isEmpty()) {
                text.append(" (");
                String separator = "";
                for (Map.Entry<String, String> failure : failures.entrySet()) {
                    text.append(separator).append(failure.getKey()).append(": ").append(failure.getValue());
                    separator = "; ";
                }
                text.append(')');
            }
            return new Answer(text.append('.').toString(), List.of());
        }

        private void failed(String dependency, RuntimeException e, String consequence) {
            failures.put(dependency, e.getMessage() != null ? e.getMessage() : e.getClass().getName());
            log(dependency, e, consequence);
        }

        private void log(String dependency, RuntimeException e, String consequence) {
            if (isBreakerOpen(e)) {
                // Expected while a breaker is open; its transition was logged once already.
                LOG.debug("query on collection {}: {} skipped ({}), {}",
                        query.collection(), dependency, e, consequence);
            } else {
                LOG.warn("query on collection {}: {} failed ({}), {}",
                        query.collection(), dependency, e, consequence);
            }
        }
    }

    private static boolean isBreakerOpen(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CallNotPermittedException) {
                return true;
            }
        }
        return false;
    }

    /** Guards the {@link Reranker} contract, which the ladder relies on: no chunk that was not a candidate. */
    private static List<ScoredChunk> checkSubset(List<ScoredChunk> reranked, List<ScoredChunk> candidates) {
        Set<String> ids = new HashSet<>();
        for (ScoredChunk c : candidates) {
            ids.add(c.chunk().chunkId());
        }
        for (ScoredChunk c : reranked) {
            if (!ids.contains(c.chunk().chunkId())) {
                throw new RerankException("reranker returned chunk " + c.chunk().chunkId()
                        + " that was not among its candidates");
            }
        }
        return reranked;
    }

    private static List<ScoredChunk> head(List<ScoredChunk> hits, int n) {
        return hits.size() <= n ? hits : List.copyOf(hits.subList(0, n));
    }

    /**
     * Builds a {@link HybridQueryEngine}. Required: {@code store}, and {@code embedder} unless the retrieval mode is
     * {@link RetrievalMode#KEYWORD}. Not thread-safe.
     */
    public static final class Builder {
        private Embedder embedder;
        private VectorStore store;
        private Generator generator = new ExtractiveGenerator();
        private Generator fallbackGenerator = new ExtractiveGenerator();
        private RetrievalMode retrievalMode = RetrievalMode.HYBRID;
        private int candidates = DEFAULT_CANDIDATES;
        private int rrfK = ReciprocalRankFusion.DEFAULT_K;
        private Reranker reranker;
        private int rerankDepth = DEFAULT_RERANK_DEPTH;
        private Duration rerankTimeout = DEFAULT_RERANK_TIMEOUT;
        private int rerankConcurrency = DEFAULT_RERANK_CONCURRENCY;
        private int embeddingCacheSize = DEFAULT_EMBEDDING_CACHE_SIZE;
        private QueryBreakers breakers;

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

        /** The primary answer writer, behind the primary-LLM breaker (default: {@link ExtractiveGenerator}). */
        public Builder generator(Generator generator) {
            this.generator = Objects.requireNonNull(generator, "generator");
            return this;
        }

        /**
         * Answers when the primary generator fails ({@code fallback_llm}); default {@link ExtractiveGenerator}, which
         * needs no model. Has no breaker: it should be local and cheap.
         */
        public Builder fallbackGenerator(Generator fallbackGenerator) {
            this.fallbackGenerator = Objects.requireNonNull(fallbackGenerator, "fallbackGenerator");
            return this;
        }

        /** Which retrievers to use (default HYBRID). */
        public Builder retrievalMode(RetrievalMode retrievalMode) {
            this.retrievalMode = Objects.requireNonNull(retrievalMode, "retrievalMode");
            return this;
        }

        /** Hits each retriever contributes to fusion (default {@value HybridQueryEngine#DEFAULT_CANDIDATES}), > 0. */
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

        /** Reorders the retrieved candidates before generation (default: none, retrieval order is kept). */
        public Builder reranker(Reranker reranker) {
            this.reranker = Objects.requireNonNull(reranker, "reranker");
            return this;
        }

        /**
         * How many retrieved candidates the reranker sees (default {@value #DEFAULT_RERANK_DEPTH}), > 0; raised to the
         * query's topK when that is larger.
         */
        public Builder rerankDepth(int rerankDepth) {
            if (rerankDepth <= 0) {
                throw new IllegalArgumentException("rerankDepth must be > 0, got " + rerankDepth);
            }
            this.rerankDepth = rerankDepth;
            return this;
        }

        /** The longest a query waits for the reranker before answering in {@code no_rerank} (default 3 s), > 0. */
        public Builder rerankTimeout(Duration rerankTimeout) {
            Objects.requireNonNull(rerankTimeout, "rerankTimeout");
            if (rerankTimeout.isZero() || rerankTimeout.isNegative()) {
                throw new IllegalArgumentException("rerankTimeout must be > 0, got " + rerankTimeout);
            }
            this.rerankTimeout = rerankTimeout;
            return this;
        }

        /**
         * The most rerank calls running at once (default {@value #DEFAULT_RERANK_CONCURRENCY}), > 0; more fail at
         * once as busy ({@code no_rerank}).
         */
        public Builder rerankConcurrency(int rerankConcurrency) {
            if (rerankConcurrency <= 0) {
                throw new IllegalArgumentException("rerankConcurrency must be > 0, got " + rerankConcurrency);
            }
            this.rerankConcurrency = rerankConcurrency;
            return this;
        }

        /**
         * How many recent query vectors are kept to answer in {@code cache_only} while the embedder is down (default
         * {@value #DEFAULT_EMBEDDING_CACHE_SIZE}), >= 0; 0 turns {@code cache_only} off.
         */
        public Builder embeddingCacheSize(int embeddingCacheSize) {
            if (embeddingCacheSize < 0) {
                throw new IllegalArgumentException("embeddingCacheSize must be >= 0, got " + embeddingCacheSize);
            }
            this.embeddingCacheSize = embeddingCacheSize;
            return this;
        }

        /** The breakers to put the dependencies behind (default: a new {@link QueryBreakers#withDefaults()}). */
        public Builder breakers(QueryBreakers breakers) {
            this.breakers = Objects.requireNonNull(breakers, "breakers");
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
