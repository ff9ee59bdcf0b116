package io.streamrag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrag.cli.dev.DevSettings;
import io.streamrag.cli.dev.DevStack;
import io.streamrag.core.cache.CacheLayer;
import io.streamrag.testkit.RedisProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The caches in the whole stack, through the command line: a repeated question is an L1 hit; an update is cited as
 * soon as the invalidation processor has processed its IndexChange; with Redis stopped, questions are still
 * answered (caches bypassed, reported in {@code cache}); with Redis back, caches resume and nothing written before
 * the outage is served.
 *
 * <p>Redis here keeps its data across restarts (a snapshot written with {@code SAVE} is loaded at start), so the
 * entries from before an outage are really there afterwards: what keeps them from being served is the cache
 * protocol (the Redis run id and the collection epoch in every key, see {@code RedisCaches}), not an empty Redis.
 * "No stale answer" is checked, as the invariant states it, once the invalidation processor has processed the
 * announcement, not as soon as the version was announced.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CacheEndToEndIT {
    private static final String COLLECTION = "cache-e2e";
    private static final String QUESTION = "What colour are the flowers of the Zephyr orchid?";
    private static final String FERN_QUESTION = "Where does the silver fern grow?";

    @TempDir
    static Path tempDir;

    private RedisProcess redis;
    private DevStack stack;

    @BeforeAll
    void startStack() throws Exception {
        redis = RedisProcess.builder(tempDir.resolve("redis")).build();
        redis.start();
        stack = DevStack.start(new DevSettings(tempDir.resolve("data"), 0, 0), Map.of("REDIS_URL", redis.url()));
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(1)
    void askingTheSameQuestionTwiceIsAnL1Hit() throws Exception {
        submit(List.of(
                orchid(1, "turquoise"),
                new Corpus.Doc("fern", "The silver fern", "The silver fern grows in shaded forests of New Zealand."),
                new Corpus.Doc("cactus", "The barrel cactus", "The barrel cactus stores water in its ribbed stem.")));

        JsonNode first = ask(QUESTION);
        JsonNode second = ask(QUESTION);

        assertThat(cache(first)).doesNotContain("L1");
        assertThat(cache(second)).containsExactly("L1");
        assertThat(second.get("degradationMode").asText()).isEqualTo("normal");
        assertThat(second.get("answer").asText()).isEqualTo(first.get("answer").asText());
        assertThat(firstCitation(second)).contains("turquoise");
        assertThat(stack.caches().metrics().hits(CacheLayer.L1)).isPositive();
    }

    @Test
    @Order(2)
    void anUpdateIsCitedOnceItsInvalidationWasProcessed() throws Exception {
        long processed = stack.invalidation().metrics().indexChanges();
        submit(List.of(orchid(2, "crimson")));
        awaitInvalidations(processed + 1);

        JsonNode after = ask(QUESTION);

        assertThat(cache(after)).doesNotContain("L1");
        assertThat(firstCitation(after)).contains("crimson").doesNotContain("turquoise");
        assertThat(cache(ask(QUESTION))).containsExactly("L1");
        assertThat(stack.invalidation().metrics().lag().getTotalCount()).isPositive();
    }

    @Test
    @Order(3)
    void withRedisDownQuestionsAreAnsweredAndAfterARestartNothingOldIsServed() throws Exception {
        long processed = stack.invalidation().metrics().indexChanges();
        saveSnapshot();
        redis.stop();
        try {
            JsonNode down = ask(QUESTION);
            assertThat(cache(down)).contains(CacheLayer.BYPASSED).doesNotContain("L1");
            assertThat(down.get("degradationMode").asText()).isEqualTo("normal");

            // an update while Redis is down: its invalidation cannot reach Redis and waits
            submit(List.of(orchid(3, "golden")));
            JsonNode updated = ask(QUESTION);
            assertThat(firstCitation(updated)).contains("golden");
        } finally {
            // back with everything it held before the outage (the snapshot), the missed invalidation not applied
            redis.start();
        }
        // the invalidation missed while Redis was down is retried, not dropped
        awaitInvalidations(processed + 1);

        JsonNode resumed = awaitCachesResume(QUESTION);
        assertThat(firstCitation(resumed)).contains("golden").doesNotContain("crimson");
        assertThat(cache(ask(QUESTION))).containsExactly("L1");
    }

    @Test
    @Order(4)
    void aRedisRestoredFromAnOlderSnapshotServesNothingFromBeforeItsRestart() throws Exception {
        assertThat(cache(ask(QUESTION))).containsExactly("L1");
        saveSnapshot(); // holds the answer citing "golden", and the collection's counters as they are now
        submit(List.of(orchid(4, "violet"))); // --wait: returns once the invalidation was processed

        // a crash: Redis comes back from the older snapshot, without the invalidation it had applied, which the
        // invalidation processor (its offsets committed) never applies again
        redis.kill();
        redis.start();

        JsonNode restored = awaitCachesResume(QUESTION);
        assertThat(cache(restored)).doesNotContain("L1");
        assertThat(firstCitation(restored)).contains("violet").doesNotContain("golden");
    }

    @Test
    @Order(5)
    void aDocumentAddedWhileRedisWasDownDropsTheAnswersCachedBeforeTheOutage() throws Exception {
        ask(FERN_QUESTION);
        assertThat(cache(ask(FERN_QUESTION))).containsExactly("L1");
        long processed = stack.invalidation().metrics().indexChanges();
        saveSnapshot();
        redis.stop();
        try {
            // a new document: no cached entry depends on it, so only the collection epoch (and the restarted
            // Redis's new run id) can tell that the cached answers are older than the collection
            submit(List.of(new Corpus.Doc("moss", "Reindeer moss",
                    "Reindeer moss is a lichen that grows in the tundra.")));
        } finally {
            redis.start();
        }
        awaitInvalidations(processed + 1);

        JsonNode resumed = awaitCachesResume(FERN_QUESTION);
        assertThat(cache(resumed)).as("an answer cached before the outage, in collection mode").doesNotContain("L1");
    }

    /** Writes Redis's data to its snapshot file, which it loads when it starts again. */
    private void saveSnapshot() {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            assertThat(jedis.save()).isEqualTo("OK");
        }
    }

    private static Corpus.Doc orchid(int version, String colour) {
        return new Corpus.Doc("orchid", "The Zephyr orchid", "The Zephyr orchid (version " + version + ") has "
                + colour + " flowers that open at dawn. Its flowers are " + colour + ".");
    }

    private void submit(List<Corpus.Doc> docs) throws Exception {
        Path file = Files.createTempFile(tempDir, "docs", ".jsonl");
        Files.write(file, Corpus.jsonLines(docs));
        CliRun submit = cli("submit", "--collection", COLLECTION, "--wait", file.toString());
        assertThat(submit.exitCode()).as(submit.err()).isZero();
    }

    private void awaitInvalidations(long count) throws InterruptedException {
        for (int i = 0; i < 600 && stack.invalidation().metrics().indexChanges() < count; i++) {
            Thread.sleep(50);
        }
        assertThat(stack.invalidation().metrics().indexChanges()).isGreaterThanOrEqualTo(count);
    }

    private JsonNode awaitCachesResume(String question) throws Exception {
        for (int i = 0; i < 100; i++) {
            JsonNode answer = ask(question);
            if (!cache(answer).contains(CacheLayer.BYPASSED)) {
                return answer;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the caches did not resume after Redis restarted");
    }

    private JsonNode ask(String question) {
        return cli("ask", "--collection", COLLECTION, "--json", "--top-k", "2", question).answer();
    }

    private static List<String> cache(JsonNode answer) {
        return CliRun.cacheLayers(answer);
    }

    private static String firstCitation(JsonNode answer) {
        assertThat(answer.get("citations")).as("answer %s", answer).isNotEmpty();
        return answer.get("citations").get(0).get("text").asText();
    }

    private CliRun cli(String... args) {
        return CliRun.against(stack.bootstrapServers(), args);
    }
}
