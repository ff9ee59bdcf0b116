package io.streamrag.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.CollectionNames;
import io.streamrag.testkit.EmbeddedKafka;
import io.streamrag.testkit.FreePorts;
import io.streamrag.testkit.StackTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the gateway refuses, against a real Kafka broker with the stack's topics and no query processor (so that
 * a question waits until its timeout): bad input gets a 4xx with the reason and never a 500; a question over the
 * in-flight limit gets 429 with Retry-After at once; an unanswered question gets 504.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayRefusalsIT {
    @TempDir
    static Path tempDir;

    private EmbeddedKafka kafka;
    private Gateway gateway;
    private Gateway keyed;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        kafka = EmbeddedKafka.start(tempDir.resolve("kafka"), FreePorts.pick(), FreePorts.pick());
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            StackTopics.createMissing(admin, StackTopics.all(2));
        }
        gateway = Gateway.start(GatewayConfig.load(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                GatewayConfig.HTTP_HOST, "127.0.0.1",
                GatewayConfig.HTTP_PORT, "0",
                GatewayConfig.L1_FROM_REDIS, "false",
                GatewayConfig.MAX_IN_FLIGHT, "1",
                GatewayConfig.QUERY_TIMEOUT_MS, "5000",
                GatewayConfig.MAX_QUESTION_CHARS, "100",
                GatewayConfig.MAX_TOP_K, "20"), null, Map.of()));
        Path keys = tempDir.resolve("keys.properties");
        Files.writeString(keys, ApiKeys.hash("reader-key") + "=read:docs\n"
                + ApiKeys.hash("writer-key") + "=read:docs write:docs\n");
        keyed = Gateway.start(GatewayConfig.load(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                GatewayConfig.HTTP_HOST, "127.0.0.1",
                GatewayConfig.HTTP_PORT, "0",
                GatewayConfig.L1_FROM_REDIS, "false",
                GatewayConfig.API_KEYS_FILE, keys.toString()), null, Map.of()));
    }

    @AfterAll
    void stop() {
        try {
            if (keyed != null) {
                keyed.close();
            }
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    void badInputGetsA4xxWithTheReason() throws Exception {
        assertRefused(post("/v1/collections/docs/query", "{\"question\": \"unclosed"), 400, "malformed JSON");
        assertRefused(post("/v1/collections/docs/query", ""), 400, "no body");
        assertRefused(post("/v1/collections/docs/query", "{\"question\": \"q\", \"k\": 3}"), 400, "malformed JSON");
        assertRefused(post("/v1/collections/My%20Docs!/query", "{\"question\": \"q\"}"), 400, CollectionNames.RULE);
        assertRefused(post("/v1/collections/docs/query", "{\"question\": \"" + "x".repeat(101) + "\"}"), 413,
                "more than the limit of 100");
        assertRefused(post("/v1/collections/docs/query", "{\"question\": \"q\", \"topK\": 0}"), 400, "topK");
        assertRefused(post("/v1/collections/docs/query", "{\"question\": \"q\", \"topK\": 21}"), 400, "topK");
        assertRefused(post("/v1/collections/docs/query", "{\"question\": \"q\", \"topK\": \"many\"}"), 400,
                "malformed JSON");
        assertRefused(post("/v1/collections/docs/query", "{\"question\": \"  \"}"), 400, "empty");
        assertRefused(post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}"),
                400, "model");
        assertRefused(post("/v1/chat/completions", "{\"model\": \"docs\", \"messages\": []}"), 400, "messages");
        assertRefused(post("/v1/chat/completions", "{\"model\": \"a/b\", \"messages\": [{\"role\": \"user\","
                + " \"content\": \"q\"}]}"), 400, CollectionNames.RULE);
        assertRefused(post("/v1/collections/docs/documents", "{\"docId\": \"d\"}"), 400, "text");
        assertRefused(post("/v1/collections/docs/documents", "{\"docId\": \"d\", \"text\": \"t\", \"txt\": 1}"), 400,
                "unknown field 'txt'");
        assertRefused(post("/v1/collections/docs/documents", "{\"docId\": \"d\", \"text\": \"t\", \"version\": -2}"),
                400, "version");
        assertRefused(post("/v1/collections/other/documents", "{\"collection\": \"docs\", \"docId\": \"d\","
                + " \"text\": \"t\"}"), 400, "path names 'other'");
        assertRefused(post("/v1/nothing", "{}"), 404, "not found");
    }

    @Test
    void aQuestionOverTheInFlightLimitGets429AtOnceAndAnUnansweredOne504() throws Exception {
        // nothing answers on rag.responses here: the first question holds the only slot until its timeout
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(
                request("/v1/collections/docs/query", "{\"question\": \"who is waiting?\"}"),
                HttpResponse.BodyHandlers.ofString());
        awaitInFlight(1);

        HttpResponse<String> second = post("/v1/collections/docs/query", "{\"question\": \"me too?\"}");

        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(second.body()).contains("max.in.flight");
        HttpResponse<String> timedOut = first.get();
        assertThat(timedOut.statusCode()).isEqualTo(504);
        assertThat(timedOut.body()).contains("no answer within");
    }

    @Test
    void healthReadinessMetricsAndTheOpenApiDocumentAreServed() throws Exception {
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/ready").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("streamrag_gateway_in_flight");
        HttpResponse<String> openApi = get("/openapi.json");
        assertThat(openApi.body()).contains("\"/v1/chat/completions\"");
    }

    @Test
    void withApiKeysAKeyReachesOnlyTheCollectionsItIsGranted() throws Exception {
        String question = "{\"question\": \"q\", \"topK\": 0}"; // past the key check, then refused with 400
        assertRefused(keyedPost("/v1/collections/docs/query", question, null), 401, "API key");
        assertRefused(keyedPost("/v1/collections/docs/query", question, "Bearer wrong-key"), 401, "unknown API key");
        assertRefused(keyedPost("/v1/collections/hr/query", question, "Bearer reader-key"), 403,
                "may not read collection 'hr'");
        assertRefused(keyedPost("/v1/collections/docs/query", question, "Bearer reader-key"), 400, "topK");
        String chat = "{\"model\": \"hr\", \"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}";
        assertRefused(keyedPost("/v1/chat/completions", chat, "Bearer writer-key"), 403, "may not read collection 'hr'");
        String document = "{\"docId\": \"d\"}"; // no text: refused with 400 once past the key check
        assertRefused(keyedPost("/v1/collections/docs/documents", document, "Bearer reader-key"), 403,
                "may not write collection 'docs'");
        assertRefused(keyedPost("/v1/collections/docs/documents", document, "Bearer writer-key"), 400, "text");
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + keyed.port() + "/health"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> keyedPost(String path, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + keyed.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitInFlight(int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (get("/metrics").body().contains("streamrag_gateway_in_flight " + expected + ".0")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the first question never became in flight");
    }

    private static void assertRefused(HttpResponse<String> response, int status, String reason) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).startsWith("{\"error\":").contains(reason);
    }

    private HttpRequest request(String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(request(path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
