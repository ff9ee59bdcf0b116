package io.streamrag.core.generate.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local HTTP server speaking OpenAI's chat-completions protocol on an ephemeral loopback port, scripted per test:
 * each request to {@code /v1/chat/completions} is recorded and answered with the next queued {@link Reply}.
 * Replies that "hang" block until the server is closed, so no test waits on a clock. A request with no queued reply
 * gets the {@link #otherwise} reply, by default a 418 error. Public for other packages' tests (a pool of endpoints
 * in the cache tests).
 */
public final class OpenAiTestServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiTestServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Reply otherwise = error(418, "no scripted reply", Map.of());

    /** What the server does with one request. */
    @FunctionalInterface
    public interface Reply {
        void answer(HttpExchange exchange, CountDownLatch closing) throws IOException, InterruptedException;
    }

    /** A request as the server received it. */
    public record Recorded(String method, String path, Headers headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public OpenAiTestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The API root to give the client, ending in {@code /v1}. */
    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/v1";
    }

    public OpenAiTestServer enqueue(Reply... script) {
        replies.addAll(List.of(script));
        return this;
    }

    /** The reply to every request that finds no queued one (until changed). */
    public OpenAiTestServer otherwise(Reply reply) {
        this.otherwise = reply;
        return this;
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders(), body));
            Reply reply = replies.poll();
            (reply != null ? reply : otherwise).answer(exchange, closing);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // Expected for replies that cut the connection (and for clients that gave up); the test asserts what
            // the client saw.
            LOG.debug("reply to {} ended with {}", exchange.getRequestURI(), e.toString());
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        closing.countDown();
        server.stop(0);
        handlers.shutdownNow();
        if (!handlers.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("test server handlers did not stop");
        }
    }

    // ---- replies ----

    /** A streamed answer made of {@code deltas}: a role chunk, one chunk per delta, a finish chunk, [DONE]. */
    public static Reply streaming(String... deltas) {
        return (exchange, closing) -> {
            OutputStream out = startStream(exchange);
            for (String event : events(deltas, true)) {
                write(out, "data: " + event + "\n\n");
            }
        };
    }

    /**
     * A streamed answer the way servers vary: {@code \r\n} line ends, keep-alive comments, {@code data:} without a
     * space, an {@code event:} field, a chunk without choices (usage), and no [DONE] after the finish chunk.
     */
    public static Reply quirkyStreaming(String... deltas) {
        return (exchange, closing) -> {
            OutputStream out = startStream(exchange);
            write(out, ": keep-alive\r\n\r\n");
            for (String event : events(deltas, false)) {
                write(out, "event: message\r\ndata:" + event + "\r\n\r\n: ping\r\n");
            }
            write(out, "data: {\"choices\":[],\"usage\":{\"total_tokens\":3}}\r\n\r\n");
        };
    }

    /** A stream of {@code deltas} that ends cleanly but without a finish chunk or [DONE]. */
    public static Reply streamEndingEarly(String... deltas) {
        return (exchange, closing) -> {
            OutputStream out = startStream(exchange);
            for (String delta : deltas) {
                write(out, "data: " + chunk(delta, null) + "\n\n");
            }
        };
    }

    /** A stream that promises a long body, sends {@code deltas}, then drops the connection. */
    public static Reply streamCut(String... deltas) {
        return (exchange, closing) -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 100_000);
            OutputStream out = exchange.getResponseBody();
            for (String delta : deltas) {
                write(out, "data: " + chunk(delta, null) + "\n\n");
            }
            // Closing short of the declared length makes the JDK server drop the connection.
        };
    }

    /** A stream that sends {@code deltas} and then stalls until the server closes. */
    public static Reply streamStalling(String... deltas) {
        return (exchange, closing) -> {
            OutputStream out = startStream(exchange);
            for (String delta : deltas) {
                write(out, "data: " + chunk(delta, null) + "\n\n");
            }
            closing.await();
        };
    }

    /**
     * A stream that sends {@code delta}, then only keep-alive comments until writing fails because the client
     * hung up, which it counts down on {@code hungUp}.
     */
    public static Reply streamKeepingAlive(CountDownLatch hungUp, String delta) {
        return (exchange, closing) -> {
            OutputStream out = startStream(exchange);
            write(out, "data: " + chunk(delta, null) + "\n\n");
            try {
                while (!closing.await(20, TimeUnit.MILLISECONDS)) {
                    write(out, ": keep-alive\n\n");
                }
            } catch (IOException clientGone) {
                hungUp.countDown();
            }
        };
    }

    /** No response at all until the server closes. */
    public static Reply silence() {
        return (exchange, closing) -> closing.await();
    }

    /** A stream whose only event is {@code data}, followed by [DONE]. */
    public static Reply streamedEvent(String data) {
        return (exchange, closing) -> {
            OutputStream out = startStream(exchange);
            write(out, "data: " + data + "\n\ndata: [DONE]\n\n");
        };
    }

    /** A non-streamed completion. */
    public static Reply completion(String content) {
        ObjectNode body = JSON.createObjectNode().put("id", "cmpl-1").put("object", "chat.completion");
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", content);
        return raw(200, "application/json", body.toString(), Map.of());
    }

    /** An OpenAI-style error. */
    public static Reply error(int status, String message, Map<String, String> headers) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", "test_error");
        return raw(status, "application/json", body.toString(), headers);
    }

    public static Reply raw(int status, String contentType, String body, Map<String, String> headers) {
        return (exchange, closing) -> send(exchange, status, contentType, body, headers);
    }

    private static List<String> events(String[] deltas, boolean done) {
        List<String> events = new ArrayList<>();
        ObjectNode role = JSON.createObjectNode();
        role.putArray("choices").addObject().put("index", 0).putObject("delta").put("role", "assistant");
        events.add(role.toString());
        for (String delta : deltas) {
            events.add(chunk(delta, null));
        }
        events.add(chunk("", "stop"));
        if (done) {
            events.add("[DONE]");
        }
        return events;
    }

    private static String chunk(String content, String finishReason) {
        ObjectNode chunk = JSON.createObjectNode().put("id", "chunk").put("object", "chat.completion.chunk");
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta").put("content", content);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return chunk.toString();
    }

    private static OutputStream startStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body,
                             Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }
}
