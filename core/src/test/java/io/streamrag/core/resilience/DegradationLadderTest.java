package io.streamrag.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.ChunkIds;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.generate.ExtractiveGenerator;
import io.streamrag.core.query.HashingEmbedder;
import io.streamrag.core.query.HybridQueryEngine;
import io.streamrag.core.query.Query;
import io.streamrag.core.query.QueryResult;
import io.streamrag.core.resilience.FaultInjection.FaultyEmbedder;
import io.streamrag.core.resilience.FaultInjection.FaultyGenerator;
import io.streamrag.core.resilience.FaultInjection.FaultyStore;
import io.streamrag.core.resilience.FaultInjection.HangingReranker;
import io.streamrag.core.resilience.FaultInjection.OrderKeepingReranker;
import io.streamrag.core.store.IndexedChunk;
import io.streamrag.core.store.LuceneShardStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One fault-injection test per rung of the degradation ladder: real components (a Lucene store in a temp dir, a
 * deterministic embedder, the extractive generator) behind switchable faults. Each test shows the mode while the
 * fault is on, that the dependency's breaker opens, and the return to {@code normal} once the fault clears
 * (open → half-open → closed).
 *
 * <p>Breakers use tiny windows and a 50 ms wait in open state; recovery is awaited by polling with a generous
 * deadline, never by asserting how long it took. (That an open breaker stops calling its dependency is shown in
 * {@link QueryBreakersTest}, with a wait long enough to observe.) The rerank time limit is 30 s except where the
 * reranker hangs (250 ms), so that a slow but healthy call on a loaded machine never counts as a timeout.
 */
class DegradationLadderTest {
    private static final String COLLECTION = "docs";
    private static final Query FLINK = new Query(COLLECTION, "How does Flink recover after a crash?", Map.of(), 3);
    private static final Query CACHE = new Query(COLLECTION, "Where are cached responses kept?", Map.of(), 3);
    private static final Duration RECOVERY_DEADLINE = Duration.ofSeconds(20);
    private static final BreakerSettings FAST_BREAKERS = new BreakerSettings(50f, 4, 2, Duration.ofMillis(50), 1);

    @TempDir
    Path dataDir;

    private final HashingEmbedder model = new HashingEmbedder(256);
    private LuceneShardStore lucene;
    private FaultyEmbedder embedder;
    private FaultyStore store;
    private HangingReranker reranker;
    private FaultyGenerator llm;
    private HybridQueryEngine engine;

    @BeforeEach
    void setUp() {
        lucene = LuceneShardStore.builder().dataDir(dataDir).dimension(model.dimension()).build();
        write("kafka", "Apache Kafka", "Kafka stores events in partitioned topics. "
                + "Each partition is an ordered, replicated log kept by brokers.");
        write("flink", "Apache Flink", "Flink takes periodic checkpoints of operator state. "
                + "After a crash the job restarts from the latest checkpoint.");
        write("lucene", "Apache Lucene", "Lucene builds an inverted index for keyword search. "
                + "Vectors are indexed in HNSW graphs for nearest neighbour search.");
        write("redis", "Redis", "Redis keeps cached responses in memory with a time to live. "
                + "Evicted keys free memory for new entries.");
        lucene.commit();

        embedder = new FaultyEmbedder(model);
        store = new FaultyStore(lucene);
        reranker = new HangingReranker(new OrderKeepingReranker());
        llm = new FaultyGenerator(new ExtractiveGenerator());
        // A generous rerank time limit: on a loaded machine a prompt call must never look like a timeout.
        engine = engine(Duration.ofSeconds(30));
    }

    private HybridQueryEngine engine(Duration rerankTimeout) {
        return HybridQueryEngine.builder()
                .embedder(embedder)
                .store(store)
                .reranker(reranker)
                .rerankTimeout(rerankTimeout)
                .generator(llm)
                .fallbackGenerator(new ExtractiveGenerator())
                .breakers(QueryBreakers.builder().defaults(FAST_BREAKERS).build())
                .build();
    }

    /** For tests where the reranker hangs: each hanging call costs the time limit until the breaker opens. */
    private void useShortRerankTimeout() {
        engine.close();
        engine = engine(Duration.ofMillis(250));
    }

    @AfterEach
    void tearDown() {
        reranker.release();
        engine.close();
        lucene.close();
    }

    private void write(String docId, String title, String text) {
        Chunk chunk = new Chunk(ChunkIds.of(COLLECTION, docId, 0, 1), COLLECTION, docId, 1, 0, title, text, Map.of());
        lucene.replaceDocument(COLLECTION, docId,
                List.of(new IndexedChunk(chunk, model.embedPassages(List.of(chunk.embeddingText())).get(0))));
    }

    @Test
    void everythingUpIsNormal() {
        QueryResult result = engine.answer(FLINK);
        assertThat(result.degradationMode()).isEqualTo("normal");
        assertThat(citedDocs(result)).containsExactly("flink");
        assertThat(result.cacheHits()).isEmpty();
        assertThat(reranker.hangs.calls()).isEqualTo(1);
    }

    @Test
    void vectorSearchUnavailableAnswersKeywordOnlyThenRecovers() {
        store.denseDown.on();
        QueryResult degraded = engine.answer(FLINK);
        assertThat(degraded.degradationMode()).isEqualTo("keyword_only");
        assertThat(citedDocs(degraded)).containsExactly("flink");

        awaitBreaker(Dependency.DENSE_SEARCH, CircuitBreaker.State.OPEN, FLINK, "keyword_only");

        store.denseDown.off();
        assertRecovers(Dependency.DENSE_SEARCH, FLINK);
    }

    @Test
    void keywordSearchUnavailableAnswersDenseOnlyThenRecovers() {
        store.keywordDown.on();
        QueryResult degraded = engine.answer(FLINK);
        assertThat(degraded.degradationMode()).isEqualTo("dense_only");
        assertThat(citedDocs(degraded)).containsExactly("flink");
        awaitBreaker(Dependency.KEYWORD_SEARCH, CircuitBreaker.State.OPEN, FLINK, "dense_only");

        store.keywordDown.off();
        assertRecovers(Dependency.KEYWORD_SEARCH, FLINK);
    }

    @Test
    void rerankerTimingOutAnswersNoRerankThenRecovers() {
        useShortRerankTimeout();
        reranker.hangs.on();
        QueryResult degraded = engine.answer(FLINK);
        assertThat(degraded.degradationMode()).isEqualTo("no_rerank");
        assertThat(citedDocs(degraded)).containsExactly("flink");
        awaitBreaker(Dependency.RERANKER, CircuitBreaker.State.OPEN, FLINK, "no_rerank");

        reranker.hangs.off();
        assertRecovers(Dependency.RERANKER, FLINK);
    }

    @Test
    void embedderDownAnswersFromTheCachedVectorOrKeywordOnlyThenRecovers() {
        assertThat(engine.answer(FLINK).degradationMode()).isEqualTo("normal");

        embedder.down.on();
        QueryResult cached = engine.answer(FLINK);
        assertThat(cached.degradationMode()).isEqualTo("cache_only");
        assertThat(cached.cacheHits()).containsExactly(HybridQueryEngine.EMBEDDING_FALLBACK_CACHE);
        assertThat(citedDocs(cached)).containsExactly("flink");

        QueryResult neverEmbedded = engine.answer(CACHE);
        assertThat(neverEmbedded.degradationMode()).isEqualTo("keyword_only");
        assertThat(neverEmbedded.cacheHits()).isEmpty();
        assertThat(citedDocs(neverEmbedded)).containsExactly("redis");
        awaitBreaker(Dependency.EMBEDDER, CircuitBreaker.State.OPEN, CACHE, "keyword_only");

        embedder.down.off();
        assertRecovers(Dependency.EMBEDDER, CACHE);
        assertThat(engine.answer(FLINK).cacheHits()).isEmpty();
    }

    @Test
    void primaryLlmFailingAnswersWithTheFallbackThenRecovers() {
        llm.down.on();
        QueryResult degraded = engine.answer(FLINK);
        assertThat(degraded.degradationMode()).isEqualTo("fallback_llm");
        assertThat(degraded.answer().text()).contains("checkpoint");
        assertThat(citedDocs(degraded)).containsExactly("flink");
        awaitBreaker(Dependency.PRIMARY_LLM, CircuitBreaker.State.OPEN, FLINK, "fallback_llm");

        llm.down.off();
        assertRecovers(Dependency.PRIMARY_LLM, FLINK);
    }

    @Test
    void allRetrievalDownAnswersWithAnErrorThenRecovers() {
        store.denseDown.on();
        store.keywordDown.on();
        QueryResult failed = engine.answer(FLINK);
        assertThat(failed.degradationMode()).isEqualTo("error");
        assertThat(failed.answer().citations()).isEmpty();
        assertThat(failed.answer().text()).startsWith("The question could not be answered: all retrieval failed")
                .contains("dense search: injected fault: vector index unavailable")
                .contains("keyword search: injected fault: BM25 index unavailable");
        assertThat(llm.down.calls()).as("no generation without context").isZero();

        store.denseDown.off();
        store.keywordDown.off();
        QueryResult recovered = awaitMode(FLINK, "normal"::equals);
        assertThat(recovered.degradationMode()).isEqualTo("normal");
        assertThat(citedDocs(recovered)).containsExactly("flink");
    }

    @Test
    void embedderAndKeywordSearchDownWithoutACachedVectorIsAnError() {
        embedder.down.on();
        store.keywordDown.on();
        QueryResult failed = engine.answer(CACHE);
        assertThat(failed.degradationMode()).isEqualTo("error");
        assertThat(failed.answer().text()).contains("embedder: injected fault: embedder down");
    }

    @Test
    void severalRungsReportTheMostSevere() {
        useShortRerankTimeout();
        reranker.hangs.on();
        store.keywordDown.on();
        assertThat(engine.answer(FLINK).degradationMode()).isEqualTo("dense_only");
        llm.down.on();
        assertThat(engine.answer(FLINK).degradationMode()).isEqualTo("fallback_llm");
    }

    @Test
    void bothGeneratorsFailingIsAnError() {
        HybridQueryEngine noFallback = HybridQueryEngine.builder()
                .embedder(embedder)
                .store(store)
                .generator(llm)
                .fallbackGenerator((question, context) -> {
                    throw new IllegalStateException("injected fault: fallback broken too");
                })
                .build();
        llm.down.on();
        QueryResult failed = noFallback.answer(FLINK);
        noFallback.close();
        assertThat(failed.degradationMode()).isEqualTo("error");
        assertThat(failed.answer().text()).contains("both the primary and the fallback answer generator failed")
                .contains("fallback generator: injected fault: fallback broken too");
    }

    private void assertRecovers(Dependency dependency, Query query) {
        QueryResult recovered = awaitMode(query, "normal"::equals);
        assertThat(recovered.degradationMode()).as("mode after the fault cleared").isEqualTo("normal");
        assertThat(recovered.answer().citations()).isNotEmpty();
        assertThat(engine.breakers().breaker(dependency).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    /** Keeps asking until the breaker reaches {@code state}; every answer meanwhile must be in {@code mode}. */
    private void awaitBreaker(Dependency dependency, CircuitBreaker.State state, Query query, String mode) {
        CircuitBreaker breaker = engine.breakers().breaker(dependency);
        long deadline = System.nanoTime() + RECOVERY_DEADLINE.toNanos();
        while (breaker.getState() != state && System.nanoTime() < deadline) {
            assertThat(engine.answer(query).degradationMode()).isEqualTo(mode);
        }
        assertThat(breaker.getState()).isEqualTo(state);
    }

    /** Asks until the mode matches or the deadline passes (then the caller's assertion fails); returns the last. */
    private QueryResult awaitMode(Query query, Predicate<String> mode) {
        long deadline = System.nanoTime() + RECOVERY_DEADLINE.toNanos();
        QueryResult result = engine.answer(query);
        while (!mode.test(result.degradationMode()) && System.nanoTime() < deadline) {
            pause();
            result = engine.answer(query);
        }
        return result;
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for recovery", e);
        }
    }

    private static List<String> citedDocs(QueryResult result) {
        return result.answer().citations().stream().map(Citation::docId).toList();
    }
}
