package io.streamrag.streams;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health endpoints of a streamrag process, over HTTP for load balancers and orchestrators:
 * <ul>
 *   <li>{@code GET /health}: 200 while the process runs and its component has not failed for good (liveness:
 *       a failing check means restart the process);</li>
 *   <li>{@code GET /ready}: 200 when it does its work (a Kafka Streams processor: {@code RUNNING}), 503 while it
 *       starts, rebalances or stops (readiness: route traffic or count it as up only then).</li>
 * </ul>
 * Both answer a one-line JSON object with the status and the component's state.
 *
 * <p>The creator owns it and closes it. Thread-safe.
 */
public final class HealthServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);

    /** What the endpoints report: live, ready, and the state in words. */
    public interface Check {
        /** False once the component has failed and will not recover: the process should be restarted. */
        boolean live();

        /** True while the component does its work. */
        boolean ready();

        /** The component's state for people, e.g. the Kafka Streams state. */
        String state();
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private HealthServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving on {@code host:port}.
     *
     * @param port 0 picks a free port (see {@link #port()})
     * @throws UncheckedIOException if the port cannot be bound, naming it
     */
    public static HealthServer start(String host, int port, Check check) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(check, "check");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("could not serve /health and /ready on " + host + ":" + port
                    + " (is the port in use? set health.port)", e);
        }
        server.createContext("/health", exchange -> respond(exchange, check.live(), check::state));
        server.createContext("/ready", exchange -> respond(exchange, check.ready(), check::state));
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "health-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        return new HealthServer(server, executor);
    }

    private static void respond(HttpExchange exchange, boolean ok, Supplier<String> state) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = ("{\"status\":\"" + (ok ? "UP" : "DOWN") + "\",\"state\":\"" + state.get() + "\"}\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (RuntimeException e) {
            LOG.warn("health check failed to answer: {}", e.toString());
            throw e;
        }
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
