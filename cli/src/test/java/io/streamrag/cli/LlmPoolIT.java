package io.streamrag.cli;

import static io.streamrag.core.generate.llm.OpenAiTestServer.streaming;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrag.cli.dev.DevSettings;
import io.streamrag.cli.dev.DevStack;
import io.streamrag.core.cache.CacheLayer;
import io.streamrag.core.generate.llm.OpenAiTestServer;
import io.streamrag.query.QueryProcessorConfig;
import io.streamrag.streams.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev stack with a pool of two LLM replicas ({@code STREAMRAG_LLM_BASE_URL} listing both, each a loopback
 * server speaking the chat-completions protocol): two different questions that retrieve the same context are sent
 * to the same replica, and the second response reports the L4 (prefix routing) hit through {@code ask --json}; a
 * change of a document in that context, once its invalidation was processed, ends the L4 hit; with the replica
 * that holds a context stopped, the other one answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlmPoolIT {
    private static final String COLLECTION = "llm-pool";

    @TempDir
    static Path tempDir;

    private final List<OpenAiTestServer> replicas = new ArrayList<>();
    private final Set<Integer> stopped = new HashSet<>();
    private DevStack stack;

    @BeforeAll
    void startStack() throws Exception {
        for (int i = 0; i < 2; i++) {
            OpenAiTestServer replica = new OpenAiTestServer();
            replica.otherwise(streaming("Replica " + i + " answers: orchids bloom at dawn [1]."));
            replicas.add(replica);
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(ConfigSources.envName(QueryProcessorConfig.LLM_BASE_URL), replicas.get(0).baseUrl() + "," + replicas.get(1).baseUrl());
        env.put(ConfigSources.envName(QueryProcessorConfig.LLM_MODEL), "test-model");
        stack = DevStack.start(new DevSettings(tempDir.resolve("data"), 0, 0), env);
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        for (int i = 0; i < replicas.size(); i++) {
            if (stopped.add(i)) {
                replicas.get(i).close();
            }
        }
    }

    @Test
    void aContextServedBeforeGoesBackToItsReplicaAsAnL4HitUntilItChangesAndFailsOverWhenItsReplicaStops()
            throws Exception {
        submit(new Corpus.Doc("orchid", "The Zephyr orchid", "The Zephyr orchid has white flowers that open at dawn."),
                new Corpus.Doc("fern", "The silver fern", "The silver fern grows in shaded forests."));

        // top-k 2 of a two-document collection: both questions retrieve the same context
        JsonNode first = ask("When do the flowers of the Zephyr orchid open?");
        JsonNode second = ask("At what time of day does the Zephyr orchid flower?");

        assertThat(cache(first)).doesNotContain(CacheLayer.L4.label(), CacheLayer.L1.label());
        assertThat(cache(second)).contains(CacheLayer.L4.label()).doesNotContain(CacheLayer.L1.label());
        assertThat(second.get("degradationMode").asText()).isEqualTo("normal");
        int served = first.get("answer").asText().contains("Replica 0") ? 0 : 1;
        assertThat(first.get("answer").asText()).contains("Replica " + served);
        assertThat(second.get("answer").asText()).contains("Replica " + served);
        assertThat(replicas.get(served).requests()).hasSize(2);
        assertThat(replicas.get(1 - served).requests()).isEmpty();
        assertThat(stack.caches().metrics().hits(CacheLayer.L4)).isPositive();

        // invalidation: a new version of a document in the context; submit --wait returns once processed
        submit(new Corpus.Doc("orchid", "The Zephyr orchid", "The Zephyr orchid has white flowers that open at dusk."));
        JsonNode changed = ask("When does the Zephyr orchid open its flowers?");
        assertThat(cache(changed)).doesNotContain(CacheLayer.L4.label(), CacheLayer.L1.label());
        int holder = changed.get("answer").asText().contains("Replica 0") ? 0 : 1;
        assertThat(cache(ask("At what hour does the Zephyr orchid bloom?"))).contains(CacheLayer.L4.label());

        // failover: the replica that holds the context stops; the other one answers, and now holds it
        replicas.get(holder).close();
        stopped.add(holder);
        int requestsBefore = replicas.get(1 - holder).requests().size();
        JsonNode failedOver = ask("Does the Zephyr orchid flower in the evening?");
        assertThat(failedOver.get("answer").asText()).contains("Replica " + (1 - holder));
        assertThat(failedOver.get("degradationMode").asText()).isEqualTo("normal");
        assertThat(replicas.get(1 - holder).requests()).hasSize(requestsBefore + 1);
    }

    private void submit(Corpus.Doc... docs) throws Exception {
        Path file = Files.createTempFile(tempDir, "docs", ".jsonl");
        Files.write(file, Corpus.jsonLines(List.of(docs)));
        CliRun submit = cli("submit", "--collection", COLLECTION, "--wait", file.toString());
        assertThat(submit.exitCode()).as(submit.err()).isZero();
    }

    private JsonNode ask(String question) {
        return cli("ask", "--collection", COLLECTION, "--json", "--top-k", "2", question).answer();
    }

    private static List<String> cache(JsonNode answer) {
        return CliRun.cacheLayers(answer);
    }

    private CliRun cli(String... args) {
        return CliRun.against(stack.bootstrapServers(), args);
    }
}
