package io.streamrag.core.cache;

import static io.streamrag.core.generate.llm.OpenAiTestServer.error;
import static io.streamrag.core.generate.llm.OpenAiTestServer.streaming;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.generate.ContextOrder;
import io.streamrag.core.generate.ExtractiveGenerator;
import io.streamrag.core.generate.GenerationException;
import io.streamrag.core.generate.llm.ChatCompletionsGenerator;
import io.streamrag.core.generate.llm.OpenAiTestServer;
import io.streamrag.core.query.HybridQueryEngine;
import io.streamrag.core.query.Query;
import io.streamrag.core.query.QueryEngine;
import io.streamrag.core.query.QueryResult;
import io.streamrag.core.store.ScoredChunk;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * L4 wired to a pool: {@link PrefixRoutingGenerator} over three real chat-completions servers on loopback, each with
 * its own {@link ChatCompletionsGenerator}, routed through a real redis-server. Each server's answer names it, so a
 * test sees which endpoint answered as well as which ones were asked.
 *
 * <p>With a healthy pool the hash of the first chunk already sends a context to the endpoint that served it, so
 * the tests that show the cache deciding a route first move a context off its hashed endpoint by failing it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES) // a safety net against hangs, not a timing assertion
class PrefixRoutingGeneratorIT {
    private static final String C = "docs";
    private static final String QUESTION = "What is alpha?";

    @TempDir
    Path dir;

    private TestRedis redis;
    private RedisCaches caches;
    private final List<OpenAiTestServer> servers = new ArrayList<>();
    private final Set<OpenAiTestServer> closedServers = new HashSet<>();
    private final Map<String, ChatCompletionsGenerator> pool = new LinkedHashMap<>();
    private PrefixRoutingGenerator routing;

    private final ScoredChunk a = hit("a");
    private final ScoredChunk b = hit("b");
    private final ScoredChunk c = hit("c");

    @BeforeEach
    void start() throws IOException {
        redis = new TestRedis(dir);
        caches = RedisCaches.connect(RedisCacheSettings.builder()
                .url(redis.url())
                .invalidationMode(InvalidationMode.PRECISE)
                // generous timeouts: a hit must not turn into a bypass on a busy test machine
                .connectTimeout(Duration.ofSeconds(1))
                .socketTimeout(Duration.ofSeconds(1))
                .breakerOpenFor(Duration.ofMillis(500))
                .build());
        for (int i = 0; i < 3; i++) {
            OpenAiTestServer server = new OpenAiTestServer();
            servers.add(server);
            healthy(i);
            pool.put(server.baseUrl(), ChatCompletionsGenerator.builder()
                    .baseUrl(server.baseUrl())
                    .model("test-model")
                    .maxAttempts(1) // failover is the pool's job here
                    .connectTimeout(Duration.ofSeconds(1))
                    .requestTimeout(Duration.ofSeconds(10))
                    .build());
        }
        routing = caches.prefixRouting(pool);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (routing != null) {
            routing.close();
        }
        for (OpenAiTestServer server : servers) {
            if (!closedServers.contains(server)) {
                server.close();
            }
        }
        if (caches != null) {
            caches.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static ScoredChunk hit(String docId) {
        return new ScoredChunk(new Chunk(C + "/" + docId + "#0@1", C, docId, 1, 0, "", docId + " is a letter.",
                Map.of()), 0.5);
    }

    /** Chunk ids in prompt (canonical) order. */
    private static List<String> ids(ScoredChunk... chunks) {
        return ContextOrder.canonical(List.of(chunks)).stream().map(h -> h.chunk().chunkId()).toList();
    }

    private String endpoint(int server) {
        return List.copyOf(pool.keySet()).get(server);
    }

    private void healthy(int server) {
        servers.get(server).otherwise(streaming(answerOf(server)));
    }

    private static String answerOf(int server) {
        return "server " + server + " says alpha [1]";
    }

    private int indexOf(String endpoint) {
        assertThat(pool).containsKey(endpoint);
        return List.copyOf(pool.keySet()).indexOf(endpoint);
    }

    /** Where the hash of the first chunk sends this context; ask before anything served it (a cold route). */
    private int hashed(List<String> chunkIds) {
        PrefixRouter.Route cold = caches.prefixRouter(List.copyOf(pool.keySet())).route(C, chunkIds);
        assertThat(cold.hit()).isFalse();
        return indexOf(cold.endpoint());
    }

    /** The route the cache holds for this context now (a lookup: counts as an L4 hit or miss). */
    private PrefixRouter.Route cachedRoute(List<String> chunkIds) {
        return caches.prefixRouter(List.copyOf(pool.keySet())).route(C, chunkIds);
    }

    private List<Integer> requestsPerServer() {
        return servers.stream().map(s -> s.requests().size()).toList();
    }

    /** Which server answered: each one names itself. */
    private static int answeredBy(Answer answer) {
        for (int i = 0; i < 3; i++) {
            if (answer.text().equals(answerOf(i))) {
                return i;
            }
        }
        throw new AssertionError("no test server wrote " + answer.text());
    }

    /** Sends the context [a, b] while its hashed endpoint fails; returns (hashed, the one that answered). */
    private int[] moveOffItsHashedEndpoint() {
        int hashed = hashed(ids(a, b));
        servers.get(hashed).otherwise(error(503, "overloaded", Map.of()));
        int answered = answeredBy(routing.generate(QUESTION, List.of(b, a)));
        healthy(hashed);
        assertThat(answered).isNotEqualTo(hashed);
        return new int[] {hashed, answered};
    }

    @Test
    void theSameContextTwiceGoesToTheSameEndpointAndTheSecondIsAnL4HitInTheResponse() {
        Fakes.MapStore store = new Fakes.MapStore();
        store.put(C, "a", 1, "alpha one");
        store.put(C, "b", 1, "beta one");
        try (HybridQueryEngine engine = HybridQueryEngine.builder()
                .embedder(caches.embeddingCache(new Fakes.CountingEmbedder("test-model")))
                .store(caches.retrievalCache(store))
                .generator(routing)
                .fallbackGenerator(new ExtractiveGenerator())
                .build()) {
            QueryEngine cached = caches.responseCache(engine);

            // two questions (two L1, L2 and L3 keys) that retrieve the same context
            QueryResult first = cached.answer(new Query(C, "What is alpha?", Map.of(), 5));
            QueryResult second = cached.answer(new Query(C, "Tell me about alpha", Map.of(), 5));

            assertThat(first.degradationMode()).isEqualTo("normal");
            assertThat(second.degradationMode()).isEqualTo("normal");
            assertThat(first.cacheHits()).doesNotContain("L4");
            assertThat(second.cacheHits()).containsExactly("L4");
            int server = answeredBy(first.answer());
            assertThat(answeredBy(second.answer())).isEqualTo(server);
            assertThat(requestsPerServer().get(server)).isEqualTo(2);
            assertThat(requestsPerServer().stream().mapToInt(Integer::intValue).sum()).isEqualTo(2);
            assertThat(caches.metrics().hits(CacheLayer.L4)).isEqualTo(1);
            assertThat(caches.metrics().misses(CacheLayer.L4)).isEqualTo(1);
        }
    }

    @Test
    void aContextSharingALeadingPrefixGoesToTheEndpointThatServedThatPrefix() {
        int[] moved = moveOffItsHashedEndpoint(); // [a, b] was served by another endpoint than a's hash names
        long hitsBefore = caches.metrics().hits(CacheLayer.L4);

        // retrieval order differs, canonical order starts both with a
        Answer shared = routing.generate(QUESTION, List.of(c, a));

        assertThat(answeredBy(shared)).isEqualTo(moved[1]);
        assertThat(requestsPerServer().get(moved[0])).isEqualTo(1); // only the failed attempt
        assertThat(caches.metrics().hits(CacheLayer.L4)).isEqualTo(hitsBefore + 1);
        assertThat(cachedRoute(ids(a, c))).isEqualTo(new PrefixRouter.Route(endpoint(moved[1]), 2)); // now in full
    }

    @Test
    void afterAChangeOfADocumentInThePrefixTheRouteIsNoLongerAHit() {
        int[] moved = moveOffItsHashedEndpoint();

        caches.invalidator().documentChanged(C, "b"); // the prefix [a] survives
        assertThat(answeredBy(routing.generate(QUESTION, List.of(a, b)))).isEqualTo(moved[1]);

        long hitsBefore = caches.metrics().hits(CacheLayer.L4);
        long missesBefore = caches.metrics().misses(CacheLayer.L4);
        caches.invalidator().documentChanged(C, "a"); // every prefix holds a
        Answer after = routing.generate(QUESTION, List.of(a, b));

        assertThat(answeredBy(after)).isEqualTo(moved[0]); // back to the hash
        assertThat(caches.metrics().hits(CacheLayer.L4)).isEqualTo(hitsBefore);
        assertThat(caches.metrics().misses(CacheLayer.L4)).isEqualTo(missesBefore + 1);
    }

    enum Failure { HTTP_500, SERVER_GONE }

    @ParameterizedTest
    @EnumSource(Failure.class)
    void aFailingEndpointFailsOverAndTheOneThatAnsweredIsRecordedAsServed(Failure failure)
            throws InterruptedException {
        int hashed = hashed(ids(a, b));
        OpenAiTestServer failing = servers.get(hashed);
        switch (failure) {
            case HTTP_500 -> failing.otherwise(error(500, "internal error", Map.of()));
            case SERVER_GONE -> {
                failing.close();
                closedServers.add(failing);
            }
        }

        Answer answer = routing.generate(QUESTION, List.of(a, b));

        int answered = answeredBy(answer);
        assertThat(answered).isNotEqualTo(hashed);
        List<Integer> requests = requestsPerServer();
        assertThat(requests.get(answered)).isEqualTo(1);
        assertThat(requests.get(hashed)).isEqualTo(failure == Failure.HTTP_500 ? 1 : 0);
        assertThat(requests.stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(failure == Failure.HTTP_500 ? 2 : 1); // the first fallback answered
        assertThat(answer.citations()).extracting(Citation::chunkId).containsExactly(ids(a, b).get(0));
        assertThat(cachedRoute(ids(a, b))).isEqualTo(new PrefixRouter.Route(endpoint(answered), 2));
    }

    @Test
    void whenEveryEndpointFailsTheLastFailureIsThrownWithTheOthersSuppressed() {
        for (OpenAiTestServer server : servers) {
            server.otherwise(error(500, "internal error", Map.of()));
        }

        assertThatThrownBy(() -> routing.generate(QUESTION, List.of(a, b)))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("500")
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2)
                        .allSatisfy(s -> assertThat(s).isInstanceOf(GenerationException.class)));
        assertThat(requestsPerServer()).containsExactly(1, 1, 1);
        assertThat(cachedRoute(ids(a, b)).hit()).isFalse(); // nobody served it
    }

    @Test
    void whileRedisIsDownItAnswersByTheHash() {
        int hashed = hashed(ids(a, b));
        redis.stop();

        for (int i = 0; i < 8; i++) { // failed calls first, then the open Redis breaker
            assertThat(answeredBy(routing.generate(QUESTION, List.of(a, b)))).isEqualTo(hashed);
        }

        assertThat(requestsPerServer().get(hashed)).isEqualTo(8);
        assertThat(caches.metrics().bypasses(CacheLayer.L4)).isEqualTo(8);
    }

    @Test
    void anEmptyContextIsAnsweredWithoutAsking() {
        Answer answer = routing.generate(QUESTION, List.of());

        assertThat(answer.text()).isEqualTo(ExtractiveGenerator.NO_ANSWER);
        assertThat(requestsPerServer()).containsExactly(0, 0, 0);
    }

    @Test
    void closingTheRoutingGeneratorClosesTheEndpointsGenerators() {
        routing.close();

        for (ChatCompletionsGenerator endpoint : pool.values()) {
            assertThatThrownBy(() -> endpoint.generate(QUESTION, List.of(a))).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> routing.generate(QUESTION, List.of(a))).isInstanceOf(IllegalStateException.class);
    }
}
