package io.streamrag.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.streamrag.cli.deploy.FlinkRestClient.JarRun;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FlinkRestClient} against a loopback server that answers like Flink's REST API. */
class FlinkRestClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private HttpServer server;
    private FlinkRestClient client;
    private final List<String> requests = new ArrayList<>();
    private final List<byte[]> bodies = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
        client = new FlinkRestClient("http://localhost:" + server.getAddress().getPort() + "/", Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void uploadsTheJarAsMultipartFieldJarfileAndReturnsTheStoredFileNameAsId() throws IOException {
        Path jar = Files.write(tmp.resolve("job.jar"), new byte[] {1, 2, 3, 4});
        answer("/jars/upload", 200, "{\"filename\":\"/tmp/flink-web/upload/abc_job.jar\",\"status\":\"success\"}");

        assertThat(client.uploadJar(jar)).isEqualTo("abc_job.jar");

        assertThat(requests).containsExactly("POST /jars/upload multipart/form-data");
        String body = new String(bodies.get(0), StandardCharsets.ISO_8859_1);
        assertThat(body).contains("name=\"jarfile\"; filename=\"job.jar\"")
                .contains(new String(new byte[] {1, 2, 3, 4}, StandardCharsets.ISO_8859_1));
    }

    @Test
    void runsAJarWithItsArgumentsParallelismAndSavepoint() throws IOException {
        answer("/jars/abc_job.jar/run", 200, "{\"jobid\":\"0123456789abcdef0123456789abcdef\"}");

        String jobId = client.runJar("abc_job.jar", new JarRun("io.example.Main", List.of("--index-dir", "/x"),
                Optional.of(2), Optional.of("file:/sp/savepoint-1")));

        assertThat(jobId).isEqualTo("0123456789abcdef0123456789abcdef");
        JsonNode body = JSON.readTree(bodies.get(0));
        assertThat(body.get("entryClass").asText()).isEqualTo("io.example.Main");
        assertThat(body.get("programArgsList").toString()).isEqualTo("[\"--index-dir\",\"/x\"]");
        assertThat(body.get("parallelism").asInt()).isEqualTo(2);
        assertThat(body.get("savepointPath").asText()).isEqualTo("file:/sp/savepoint-1");
        assertThat(body.get("allowNonRestoredState").asBoolean()).isFalse();
    }

    @Test
    void stopsWithASavepointPollingTheTriggerUntilItCompletes() throws Exception {
        answer("/jobs/j1/stop", 202, "{\"request-id\":\"t1\"}");
        AtomicInteger polls = new AtomicInteger();
        server.createContext("/jobs/j1/savepoints/t1", exchange -> respond(exchange, 200, polls.incrementAndGet() < 3
                ? "{\"status\":{\"id\":\"IN_PROGRESS\"}}"
                : "{\"status\":{\"id\":\"COMPLETED\"},\"operation\":{\"location\":\"file:/sp/savepoint-j1\"}}"));

        assertThat(client.stopWithSavepoint("j1", "file:/sp", Duration.ofSeconds(30))).isEqualTo("file:/sp/savepoint-j1");

        assertThat(polls.get()).isEqualTo(3);
        JsonNode body = JSON.readTree(bodies.get(0));
        assertThat(body.get("targetDirectory").asText()).isEqualTo("file:/sp");
        assertThat(body.get("drain").asBoolean()).isFalse();
    }

    @Test
    void aFailedSavepointIsReportedWithItsCause() {
        answer("/jobs/j1/stop", 202, "{\"request-id\":\"t1\"}");
        answer("/jobs/j1/savepoints/t1", 200, "{\"status\":{\"id\":\"COMPLETED\"},\"operation\":{\"failure-cause\":"
                + "{\"stack-trace\":\"java.io.IOException: Permission denied\\n\\tat x.y(Z.java:1)\"}}}");

        assertThatThrownBy(() -> client.stopWithSavepoint("j1", "file:/sp", Duration.ofSeconds(30)))
                .isInstanceOf(FlinkRestException.class)
                .hasMessageContaining("java.io.IOException: Permission denied")
                .hasMessageContaining("the job keeps running");
    }

    @Test
    void aRefusalCarriesFlinksFirstErrorLineAndIsNotRetriable() {
        answer("/jars/nope.jar/run", 400, "{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException:"
                + " Jar file /tmp/nope.jar does not exist\\n\\tat org.apache.flink.X(X.java:1)\"]}");

        assertThatThrownBy(() -> client.runJar("nope.jar", new JarRun("io.example.Main", List.of(), Optional.empty(),
                Optional.empty())))
                .isInstanceOf(FlinkRestException.class)
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("Jar file /tmp/nope.jar does not exist")
                .hasMessageNotContaining("X.java")
                .satisfies(e -> assertThat(((FlinkRestException) e).retriable()).isFalse());
    }

    @Test
    void aFailedJobMainIsReportedWithTheJobsOwnMessage() {
        answer("/jars/job.jar/run", 500, "{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException:"
                + " Could not execute application.\\n\\tat org.apache.flink.X(X.java:1)\\n"
                + "Caused by: java.util.concurrent.CompletionException: x\\n"
                + "Caused by: org.apache.flink.util.FlinkRuntimeException: Could not execute application.\\n"
                + "Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an"
                + " error: streamrag-ingest: --shards must be a number, got 'zero'\\n"
                + "Caused by: java.lang.IllegalArgumentException: streamrag-ingest: --shards must be a number\\n"
                + "Caused by: java.lang.NumberFormatException: For input string: \\\"zero\\\"\\n"
                + "\\t... 12 more\"]}");

        assertThatThrownBy(() -> client.runJar("job.jar", new JarRun("io.example.Main", List.of(), Optional.empty(),
                Optional.empty())))
                .isInstanceOf(FlinkRestException.class)
                .hasMessageEndingWith("The main method caused an error: streamrag-ingest: --shards must be a number,"
                        + " got 'zero'")
                .satisfies(e -> assertThat(((FlinkRestException) e).retriable()).isTrue());
    }

    @Test
    void anUnreachableClusterIsRetriableAndSaysWhatToCheck() {
        int port = server.getAddress().getPort();
        server.stop(0);

        assertThatThrownBy(() -> new FlinkRestClient("http://localhost:" + port, Duration.ofSeconds(2)).jobs())
                .isInstanceOf(FlinkRestException.class)
                .hasMessageContaining("is the JobManager running")
                .satisfies(e -> assertThat(((FlinkRestException) e).retriable()).isTrue());
    }

    @Test
    void readsJobsCheckpointsAndRestarts() throws Exception {
        answer("/jobs/overview", 200, "{\"jobs\":[{\"jid\":\"j1\",\"name\":\"streamrag-ingest\",\"state\":\"RUNNING\","
                + "\"start-time\":1000},{\"jid\":\"j0\",\"name\":\"streamrag-ingest\",\"state\":\"FINISHED\"}]}");
        answer("/jobs/j1/checkpoints", 200, "{\"counts\":{\"restored\":1,\"total\":5,\"in_progress\":0,"
                + "\"completed\":4,\"failed\":1},\"latest\":{\"completed\":{\"id\":7,\"external_path\":\"file:/c/chk-7\"},"
                + "\"restored\":{\"id\":3,\"external_path\":\"file:/sp/savepoint-1\"},\"savepoint\":null,\"failed\":null}}");
        answer("/jobs/j1/metrics", 200, "[{\"id\":\"numRestarts\",\"value\":\"2\"}]");
        answer("/jobs/j1/exceptions", 200, "{\"exceptionHistory\":{\"entries\":[{\"exceptionName\":"
                + "\"org.apache.flink.util.FlinkException\",\"timestamp\":2000},{\"exceptionName\":"
                + "\"java.lang.IllegalStateException\",\"timestamp\":1500}],\"truncated\":false}}");

        assertThat(client.jobs()).extracting(FlinkRestClient.JobOverview::active).containsExactly(true, false);
        FlinkRestClient.CheckpointStats stats = client.checkpoints("j1");
        assertThat(stats.completed()).isEqualTo(4);
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.latestCompletedId()).contains(7L);
        assertThat(stats.latestCompletedPath()).contains("file:/c/chk-7");
        assertThat(stats.restoredFrom()).contains("file:/sp/savepoint-1");
        assertThat(client.restarts("j1")).contains(2L);
        assertThat(requests).contains("GET /jobs/j1/metrics?get=numRestarts");
        assertThat(client.failures("j1")).containsExactly("org.apache.flink.util.FlinkException",
                "java.lang.IllegalStateException");
    }

    @Test
    void theBaseUrlMustBeAnHttpUrl() {
        assertThatThrownBy(() -> new FlinkRestClient("localhost:8081", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 'localhost:8081'");
    }

    private void answer(String path, int status, String body) {
        server.createContext(path, exchange -> respond(exchange, status, body));
    }

    private void respond(HttpExchange exchange, int status, String body) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        String query = exchange.getRequestURI().getRawQuery();
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
                + (query == null ? "" : "?" + query)
                + (type != null && type.startsWith("multipart/form-data") ? " multipart/form-data" : ""));
        byte[] request = exchange.getRequestBody().readAllBytes();
        if (request.length > 0) {
            bodies.add(request);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
