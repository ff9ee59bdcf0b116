package io.streamrag.loadgen.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in LLM: an HTTP server on a loopback port that answers OpenAI chat-completions requests
 * ({@code POST .../chat/completions}, streamed as server-sent events or as one JSON object, as the request asks) with
 * a fixed answer after a fixed latency, whatever the concurrency (one handler thread per request). Thread-safe; the
 * creator closes it.
 */
final class FixedLatencyLlmServer implements AutoCloseable {
    static final String MODEL = "bench-fixed-latency";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANSWER = "The retrieved abstracts address the claim [1].";

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fixed-latency-llm");
        t.setDaemon(true);
        return t;
    });
    private final long latencyNanos;
    private final AtomicLong served = new AtomicLong();

    FixedLatencyLlmServer(Duration latency) throws IOException {
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must be >= 0, got " + latency);
        }
        this.latencyNanos = latency.toNanos();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The API root for {@code STREAMRAG_LLM_BASE_URL}, ending in {@code /v1}. */
    String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/v1";
    }

    /** Completions answered so far. */
    long served() {
        return served.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())
                    || !exchange.getRequestURI().getPath().endsWith("/chat/completions")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            boolean stream = request.path("stream").asBoolean(false);
            long leftNanos = latencyNanos - (System.nanoTime() - start);
            if (leftNanos > 0) {
                TimeUnit.NANOSECONDS.sleep(leftNanos);
            }
            byte[] body = stream ? sseBody() : jsonBody();
            exchange.getResponseHeaders().set("Content-Type", stream ? "text/event-stream" : "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            served.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] jsonBody() throws IOException {
        ObjectNode root = JSON.createObjectNode().put("id", "bench").put("object", "chat.completion")
                .put("model", MODEL);
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", ANSWER);
        return JSON.writeValueAsBytes(root);
    }

    private static byte[] sseBody() throws IOException {
        StringBuilder events = new StringBuilder();
        for (String word : ANSWER.split("(?<= )")) {
            ObjectNode chunk = JSON.createObjectNode().put("id", "bench").put("object", "chat.completion.chunk")
                    .put("model", MODEL);
            ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
            choice.putObject("delta").put("content", word);
            choice.putNull("finish_reason");
            events.append("data: ").append(JSON.writeValueAsString(chunk)).append("\n\n");
        }
        ObjectNode last = JSON.createObjectNode().put("id", "bench").put("object", "chat.completion.chunk")
                .put("model", MODEL);
        ObjectNode choice = last.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
        choice.putObject("delta");
        events.append("data: ").append(JSON.writeValueAsString(last)).append("\n\n");
        events.append("data: [DONE]\n\n");
        return events.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
