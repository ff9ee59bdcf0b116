package io.streamrag.cli;

import io.streamrag.cli.dev.DevSettings;
import io.streamrag.cli.dev.DevStack;
import io.streamrag.client.StreamragClient;
import io.streamrag.gateway.Gateway;
import io.streamrag.gateway.GatewayConfig;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEvents;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.streams.CommonOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.HdrHistogram.Histogram;

/**
 * Gateway benchmark on the whole dev stack (not a test): the latency of a cached answer (an L1 hit) over HTTP when
 * the gateway reads L1 in Redis itself, against the same question through rag.queries (a second gateway with
 * {@code l1.from.redis=false}, and the Kafka client directly, as {@code ask} does); then uncached questions through
 * the gateway and directly, for the gateway's own overhead. Questions go one at a time, the routes interleaved.
 *
 * <p>Usage (see docs/benchmarks.md): {@code java -cp ... io.streamrag.cli.GatewayBench [docs] [rounds] [uncached]}.
 */
public final class GatewayBench {
    private static final String COLLECTION = "gwbench";

    private GatewayBench() {
    }

    public static void main(String[] args) throws Exception {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int uncached = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Path dataDir = Files.createTempDirectory("streamrag-gateway-bench");
        HttpClient http = HttpClient.newHttpClient();
        try (DevStack stack = DevStack.start(new DevSettings(dataDir, 0, 0, 0));
             StreamragClient client = StreamragClient.connect(stack.bootstrapServers(), Duration.ofSeconds(10));
             Gateway viaKafka = Gateway.start(GatewayConfig.load(Map.of(
                     CommonOptions.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                     GatewayConfig.HTTP_HOST, "127.0.0.1", GatewayConfig.HTTP_PORT, "0",
                     GatewayConfig.L1_FROM_REDIS, "false"), null, Map.of()))) {
            List<DocumentEvent> events = new ArrayList<>();
            for (int d = 0; d < docs; d++) {
                events.add(DocumentEvents.upsert(COLLECTION, "doc-" + d, 1, "Zorblat " + d,
                        "The current code of zorblat" + d + " is code" + d + "x1.", Map.of(), null));
            }
            client.sendAndAwaitVisible(events, Duration.ofMinutes(5));
            String gatewayL1 = stack.gatewayUrl();
            String gatewayKafka = "http://127.0.0.1:" + viaKafka.port();
            for (int q = 0; q < docs; q++) { // fill L1
                askHttp(http, gatewayL1, question(q));
            }
            Histogram l1AtGateway = new Histogram(3);
            Histogram l1ViaKafkaHttp = new Histogram(3);
            Histogram l1ViaKafkaClient = new Histogram(3);
            for (int r = 0; r < rounds; r++) {
                for (int q = 0; q < docs; q++) {
                    l1AtGateway.recordValue(askHttp(http, gatewayL1, question(q)));
                    l1ViaKafkaHttp.recordValue(askHttp(http, gatewayKafka, question(q)));
                    l1ViaKafkaClient.recordValue(askClient(client, question(q)));
                }
            }
            Histogram missGateway = new Histogram(3);
            Histogram missClient = new Histogram(3);
            for (int u = 0; u < uncached; u++) {
                missGateway.recordValue(askHttp(http, gatewayL1, "Which zorblat has code" + u + "x1, first try?"));
                missClient.recordValue(askClient(client, "Which zorblat has code" + u + "x1, second try?"));
            }
            System.out.printf("%n| route | questions | p50 ms | p99 ms | max ms |%n| --- | --- | --- | --- | --- |%n");
            row("L1 hit, HTTP, gateway reads L1 in Redis", l1AtGateway);
            row("L1 hit, HTTP, gateway through rag.queries", l1ViaKafkaHttp);
            row("L1 hit, Kafka client through rag.queries (ask)", l1ViaKafkaClient);
            row("uncached, HTTP gateway", missGateway);
            row("uncached, Kafka client (ask)", missClient);
        }
    }

    private static String question(int q) {
        return "What is the current code of zorblat" + q + "?";
    }

    /** Microseconds for one answer over HTTP. */
    private static long askHttp(HttpClient http, String base, String question) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/collections/" + COLLECTION + "/query"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\": \"" + question + "\", \"topK\": 3}"))
                .build();
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        long micros = (System.nanoTime() - start) / 1_000;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return micros;
    }

    private static long askClient(StreamragClient client, String question) {
        QueryRequest request = QueryRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
                .setCollection(COLLECTION).setText(question).setTopK(3)
                .setDeadline(Instant.now().plusSeconds(60)).build();
        long start = System.nanoTime();
        client.ask(request, Duration.ofSeconds(60));
        return (System.nanoTime() - start) / 1_000;
    }

    private static void row(String route, Histogram h) {
        System.out.printf("| %s | %d | %.1f | %.1f | %.1f |%n", route, h.getTotalCount(),
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }
}
