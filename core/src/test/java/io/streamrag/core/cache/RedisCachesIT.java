package io.streamrag.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.generate.Citation;
import io.streamrag.core.query.Query;
import io.streamrag.core.query.QueryEngine;
import io.streamrag.core.query.QueryResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.RedisClient;

/** The cache layers on a real redis-server: hits, invalidation, races, Redis failures and restarts. */
class RedisCachesIT {
    private static final String C = "docs";

    @TempDir
    Path dir;

    private TestRedis redis;
    private RedisCaches caches;
    private Fakes.CountingEmbedder embedder;
    private Fakes.MapStore store;
    private Fakes.SimpleEngine engine;
    private QueryEngine cached;

    private void start(InvalidationMode mode) {
        redis = new TestRedis(dir);
        caches = RedisCaches.connect(RedisCacheSettings.builder()
                .url(redis.url())
                .invalidationMode(mode)
                .breakerOpenFor(Duration.ofMillis(500))
                .build());
        embedder = new Fakes.CountingEmbedder("test-model");
        store = new Fakes.MapStore();
        engine = new Fakes.SimpleEngine(caches.embeddingCache(embedder), caches.retrievalCache(store));
        cached = caches.responseCache(engine);
        store.put(C, "a", 1, "alpha one", Map.of("topic", "x"));
        store.put(C, "b", 1, "beta one", Map.of("topic", "y"));
    }

    @AfterEach
    void stop() {
        if (caches != null) {
            caches.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private QueryResult ask(String text) {
        return cached.answer(new Query(C, text, Map.of(), 5));
    }

    private QueryResult ask(String text, Map<String, String> filters) {
        return cached.answer(new Query(C, text, filters, 5));
    }

    private static List<String> chunkIds(QueryResult result) {
        return result.answer().citations().stream().map(Citation::chunkId).toList();
    }

    @Test
    void theSameQuestionTwiceIsAnL1HitThatSkipsTheEngine() {
        start(InvalidationMode.COLLECTION);

        QueryResult first = ask("What is alpha?");
        QueryResult second = ask("  what IS   alpha? ");

        assertThat(first.cacheHits()).doesNotContain("L1");
        assertThat(second.cacheHits()).containsExactly("L1");
        assertThat(second.degradationMode()).isEqualTo("normal");
        assertThat(second.answer()).isEqualTo(first.answer());
        assertThat(second.timingsMs()).containsKeys("embed", "retrieve", "rerank", "generate", "total");
        assertThat(engine.answers).hasValue(1);
        assertThat(caches.metrics().hits(CacheLayer.L1)).isEqualTo(1);
        assertThat(caches.metrics().misses(CacheLayer.L1)).isEqualTo(1);
    }

    @Test
    void innerLayersReportTheirHitsThroughTheRequestTrace() {
        start(InvalidationMode.COLLECTION);

        ask("What is alpha?");
        QueryResult otherTopK = cached.answer(new Query(C, "What is alpha?", Map.of(), 1)); // another L1 key

        assertThat(otherTopK.cacheHits()).containsExactly("L2", "L3");
        assertThat(embedder.queries).hasValue(1);
        assertThat(store.searches).hasValue(2); // dense and keyword, once
        assertThat(chunkIds(otherTopK)).containsExactly("docs/a#0@1");
    }

    @Test
    void degradedAnswersAreNeverCached() {
        start(InvalidationMode.COLLECTION);
        engine.mode = "no_rerank";

        ask("What is alpha?");
        QueryResult second = ask("What is alpha?");

        assertThat(second.cacheHits()).doesNotContain("L1");
        assertThat(second.degradationMode()).isEqualTo("no_rerank");
        assertThat(engine.answers).hasValue(2);
    }

    @Test
    void collectionsAreWalls() {
        start(InvalidationMode.COLLECTION);
        store.put("other", "z", 1, "zeta");

        ask("What is alpha?");
        QueryResult other = cached.answer(new Query("other", "What is alpha?", Map.of(), 5));

        assertThat(other.cacheHits()).doesNotContain("L1", "L3");
        assertThat(chunkIds(other)).containsExactly("other/z#0@1");
    }

    @ParameterizedTest
    @EnumSource(InvalidationMode.class)
    void afterADocumentChangeNoLayerServesTheOldVersion(InvalidationMode mode) {
        start(mode);
        assertThat(chunkIds(ask("What is alpha?"))).contains("docs/a#0@1");

        store.put(C, "a", 2, "alpha two", Map.of("topic", "x"));
        caches.invalidator().documentChanged(C, "a");
        QueryResult after = ask("What is alpha?");

        assertThat(after.cacheHits()).doesNotContain("L1", "L3");
        assertThat(chunkIds(after)).contains("docs/a#0@2").doesNotContain("docs/a#0@1");
        assertThat(ask("What is alpha?").cacheHits()).containsExactly("L1"); // and the new answer is cached
    }

    @Test
    void aDeletedDocumentIsNeverServedFromACache() {
        start(InvalidationMode.PRECISE);
        ask("What is alpha?");

        store.remove(C, "a");
        caches.invalidator().documentChanged(C, "a");

        assertThat(chunkIds(ask("What is alpha?"))).containsExactly("docs/b#0@1");
    }

    @Test
    void preciseInvalidationKeepsEntriesThatDoNotDependOnTheDocument() {
        start(InvalidationMode.PRECISE);
        ask("topic x?", Map.of("topic", "x")); // retrieves only a
        ask("topic y?", Map.of("topic", "y")); // retrieves only b

        store.put(C, "a", 2, "alpha two", Map.of("topic", "x"));
        caches.invalidator().documentChanged(C, "a");

        assertThat(ask("topic y?", Map.of("topic", "y")).cacheHits()).containsExactly("L1");
        QueryResult x = ask("topic x?", Map.of("topic", "x"));
        assertThat(x.cacheHits()).doesNotContain("L1", "L3");
        assertThat(chunkIds(x)).containsExactly("docs/a#0@2");
    }

    @Test
    void collectionInvalidationDropsEveryEntryOfTheCollection() {
        start(InvalidationMode.COLLECTION);
        ask("topic y?", Map.of("topic", "y"));

        caches.invalidator().documentChanged(C, "a");

        assertThat(ask("topic y?", Map.of("topic", "y")).cacheHits()).doesNotContain("L1", "L3");
    }

    @ParameterizedTest
    @EnumSource(InvalidationMode.class)
    void anInvalidationWhileAnAnswerIsComputedIsNotLost(InvalidationMode mode) {
        start(mode);
        AtomicBoolean once = new AtomicBoolean();
        // the engine has read version 1; the update commits and is invalidated before the answer is cached
        engine.duringAnswer = () -> {
            if (once.compareAndSet(false, true)) {
                store.put(C, "a", 2, "alpha two", Map.of("topic", "x"));
                caches.invalidator().documentChanged(C, "a");
            }
        };

        assertThat(chunkIds(ask("What is alpha?"))).contains("docs/a#0@1");
        QueryResult next = ask("What is alpha?");

        assertThat(next.cacheHits()).doesNotContain("L1");
        assertThat(chunkIds(next)).contains("docs/a#0@2").doesNotContain("docs/a#0@1");
    }

    @Test
    void settingsChangeDropsTheCollectionsResponses() {
        start(InvalidationMode.PRECISE);
        ask("What is alpha?");

        caches.invalidator().collectionChanged(C);

        assertThat(ask("What is alpha?").cacheHits()).doesNotContain("L1");
    }

    @Test
    void aModelChangeMakesOldVectorsUnreachable() {
        start(InvalidationMode.COLLECTION);
        var l2 = caches.embeddingCache(embedder);

        float[] first = l2.embedQuery("alpha");
        float[] second = l2.embedQuery("alpha");
        assertThat(second).containsExactly(first);
        assertThat(embedder.queries).hasValue(1);
        double norm = 0;
        for (float v : second) {
            norm += v * v;
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));

        caches.invalidator().embeddingModelChanged(C);
        l2.embedQuery("alpha");

        assertThat(embedder.queries).hasValue(2);
    }

    @Test
    void countersNeverGoBackwardsWhenRedisLosesThem() {
        start(InvalidationMode.COLLECTION);
        RedisCaches.Snapshot before = caches.snapshot(C);
        caches.invalidator().documentChanged(C, "a");
        RedisCaches.Snapshot bumped = caches.snapshot(C);
        try (RedisClient raw = RedisClient.create("127.0.0.1", redis.port())) {
            raw.flushAll();
        }
        RedisCaches.Snapshot afterLoss = caches.snapshot(C);

        assertThat(bumped.epoch()).isGreaterThan(before.epoch());
        assertThat(bumped.seq()).isGreaterThan(before.seq());
        assertThat(afterLoss.epoch()).isGreaterThan(bumped.epoch());
        assertThat(afterLoss.seq()).isGreaterThan(bumped.seq());
    }

    @Test
    void whileRedisIsDownQueriesAreAnsweredWithoutCachesAndAfterARestartNothingOldIsServed() throws Exception {
        start(InvalidationMode.PRECISE);
        ask("What is alpha?");
        assertThat(ask("What is alpha?").cacheHits()).containsExactly("L1");

        redis.stop();
        store.put(C, "a", 2, "alpha two", Map.of("topic", "x"));
        assertThatThrownBy(() -> caches.invalidator().documentChanged(C, "a"))
                .isInstanceOf(CacheUnavailableException.class); // the missed invalidation
        for (int i = 0; i < 10; i++) {
            QueryResult down = ask("What is alpha?");
            assertThat(down.cacheHits()).containsExactly(CacheLayer.BYPASSED);
            assertThat(down.degradationMode()).isEqualTo("normal");
            assertThat(chunkIds(down)).contains("docs/a#0@2");
        }
        assertThat(caches.available()).isFalse(); // the breaker opened
        assertThat(caches.metrics().bypasses(CacheLayer.L1)).isEqualTo(10);

        redis.start();
        QueryResult resumed = awaitCachesResume();
        assertThat(chunkIds(resumed)).contains("docs/a#0@2").doesNotContain("docs/a#0@1");
        assertThat(ask("What is alpha?").cacheHits()).containsExactly("L1");
    }

    @Test
    void aSnapshotRestoredFromBeforeAMissedInvalidationIsNeverServed() throws Exception {
        start(InvalidationMode.COLLECTION);
        ask("What is alpha?"); // cached with version 1
        Path backup = dir.resolve("before-invalidation.rdb");
        try (redis.clients.jedis.Jedis raw = new redis.clients.jedis.Jedis("127.0.0.1", redis.port())) {
            raw.save();
        }
        Files.copy(dir.resolve("dump.rdb"), backup);
        String epochBefore = rawGet(caches.epochKey(C));

        store.put(C, "a", 2, "alpha two", Map.of("topic", "x"));
        caches.invalidator().documentChanged(C, "a");
        redis.stop();
        // Redis comes back from an older snapshot: the old epoch and the version-1 entry are both there again
        Files.copy(backup, dir.resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
        redis.start();
        assertThat(rawGet(caches.epochKey(C))).isEqualTo(epochBefore);

        QueryResult result = awaitCachesResume();

        assertThat(chunkIds(result)).contains("docs/a#0@2").doesNotContain("docs/a#0@1");
        assertThat(result.cacheHits()).doesNotContain("L1", "L3");
    }

    @Test
    void thePrefixRouterSendsAKnownPrefixBackToItsEndpoint() {
        start(InvalidationMode.PRECISE);
        PrefixRouter router = caches.prefixRouter(List.of("llm-0", "llm-1", "llm-2"));
        List<String> context = List.of("docs/a#0@1", "docs/b#0@1");

        PrefixRouter.Route cold = router.route(C, context);
        assertThat(cold.hit()).isFalse();
        assertThat(router.route(C, context).endpoint()).isEqualTo(cold.endpoint()); // stable without a cache

        router.served(C, context, "llm-2");
        assertThat(router.route(C, context)).isEqualTo(new PrefixRouter.Route("llm-2", 2));
        assertThat(router.route(C, List.of("docs/a#0@1", "docs/c#0@1"))).isEqualTo(new PrefixRouter.Route("llm-2", 1));
        assertThat(router.route("other", context).hit()).isFalse();

        caches.invalidator().documentChanged(C, "b");
        assertThat(router.route(C, context)).isEqualTo(new PrefixRouter.Route("llm-2", 1)); // a's prefix survives
        caches.invalidator().documentChanged(C, "a");
        assertThat(router.route(C, context).hit()).isFalse();
        assertThat(caches.metrics().hits(CacheLayer.L4)).isEqualTo(3);
    }

    /** Asks until a response is not bypassed (the breaker probes Redis again after its open time). */
    private QueryResult awaitCachesResume() throws InterruptedException {
        for (int attempt = 0; attempt < 200; attempt++) {
            QueryResult result = ask("What is alpha?");
            if (!result.cacheHits().contains(CacheLayer.BYPASSED)) {
                return result;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the caches did not resume after Redis restarted");
    }

    private String rawGet(String key) {
        try (RedisClient raw = RedisClient.create("127.0.0.1", redis.port())) {
            return raw.get(key);
        }
    }
}
