package io.streamrag.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrag.client.QueryRoundTrips;
import io.streamrag.client.StreamragClient;
import io.streamrag.core.CollectionNames;
import io.streamrag.core.cache.RedisCaches;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP gateway: questions over REST, Server-Sent Events and an OpenAI-compatible chat-completions facade,
 * document intake, health, readiness, Prometheus metrics and an OpenAPI document. It answers through the Kafka
 * topics like any client (rag.queries / rag.responses, rag.documents), and serves cached answers (L1) straight
 * from Redis with the query processors' own key and validity rule. Stateless: scale by replicas behind a balancer.
 *
 * <p>With {@code api.keys.file} set, every question and write needs an API key that may read (ask) or write
 * (documents) its collection ({@link ApiKeys}): 401 without a known key, 403 for another collection.
 *
 * <p>Bad input gets a 4xx with a JSON {@code {"error": reason}}; overload gets 429 with Retry-After. The owner
 * closes it; closing stops the HTTP server first, then the Kafka and Redis clients.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    /** One route of the API. */
    record Route(HandlerType method, String path) {
    }

    /** Every route, as registered and as {@code /openapi.json} lists them. */
    static final List<Route> ROUTES = List.of(
            new Route(HandlerType.POST, "/v1/collections/{collection}/query"),
            new Route(HandlerType.POST, "/v1/chat/completions"),
            new Route(HandlerType.POST, "/v1/collections/{collection}/documents"),
            new Route(HandlerType.DELETE, "/v1/collections/{collection}/documents/{docId}"),
            new Route(HandlerType.GET, "/health"),
            new Route(HandlerType.GET, "/ready"),
            new Route(HandlerType.GET, "/metrics"),
            new Route(HandlerType.GET, "/openapi.json"));

    static final ObjectMapper JSON = new ObjectMapper();

    private final Javalin app;
    private final QueryRoundTrips roundTrips;
    private final StreamragClient documentsClient;
    private final RedisCaches caches;

    private Gateway(Javalin app, QueryRoundTrips roundTrips, StreamragClient documentsClient, RedisCaches caches) {
        this.app = app;
        this.roundTrips = roundTrips;
        this.documentsClient = documentsClient;
        this.caches = caches;
    }

    /** Connects to Kafka (and Redis when L1 is read here) and starts serving. */
    public static Gateway start(GatewayConfig config) {
        Objects.requireNonNull(config, "config");
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            StreamragClient documents = StreamragClient.connect(config.bootstrapServers(),
                    config.kafkaProperties(), Duration.ofSeconds(15));
            opened.add(documents);
            QueryRoundTrips roundTrips = new QueryRoundTrips(config.bootstrapServers(), config.kafkaProperties());
            opened.add(roundTrips);
            RedisCaches caches = null;
            if (config.getBoolean(GatewayConfig.L1_FROM_REDIS)) {
                caches = RedisCaches.connect(config.redisSettings());
                opened.add(caches);
            }
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Access access = new Access(config.apiKeys());
            QueryService queries = new QueryService(roundTrips, caches, config, metrics);
            DocumentIntake intake = new DocumentIntake(documents, config, access);
            Javalin app = Javalin.create(c -> {
                c.showJavalinBanner = false;
                c.http.maxRequestSize = config.getInt(GatewayConfig.MAX_BODY_BYTES);
                c.jsonMapper(new JavalinJackson(JSON, false));
            });
            Handlers handlers = new Handlers(queries, intake, access, metrics, openApi());
            for (Route route : ROUTES) {
                app.addHttpHandler(route.method(), javalinPath(route.path()), handlers.forRoute(route));
            }
            app.before(ctx -> ctx.attribute("start", System.nanoTime()));
            app.after(ctx -> {
                Long start = ctx.attribute("start");
                if (start != null) {
                    Timer.builder("streamrag.gateway.http").tag("route", ctx.endpointHandlerPath())
                            .tag("status", Integer.toString(ctx.statusCode())).register(metrics)
                            .record(Duration.ofNanos(System.nanoTime() - start));
                }
            });
            app.exception(ApiException.class, (e, ctx) -> {
                ctx.status(e.status()).json(Map.of("error", e.getMessage()));
                if (e.retryAfterSeconds() > 0) {
                    ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
                }
            });
            app.exception(HttpResponseException.class, (e, ctx) ->
                    ctx.status(e.getStatus()).json(Map.of("error", e.getMessage())));
            app.exception(Exception.class, (e, ctx) -> {
                LOG.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
                ctx.status(500).json(Map.of("error", "internal error: " + e.getClass().getSimpleName()
                        + " (the gateway's log has the details)"));
            });
            app.start(config.getString(GatewayConfig.HTTP_HOST), config.getInt(GatewayConfig.HTTP_PORT));
            LOG.info("gateway listening on {}:{} (L1 from Redis: {})", config.getString(GatewayConfig.HTTP_HOST),
                    app.port(), caches != null);
            return new Gateway(app, roundTrips, documents, caches);
        } catch (RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** The port the HTTP server listens on. */
    public int port() {
        return app.port();
    }

    /** Javalin's syntax for a document id that may contain '/': {@code <docId>}. */
    static String javalinPath(String path) {
        return path.replace("{docId}", "<docId>");
    }

    static byte[] openApi() {
        try (InputStream in = Gateway.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the gateway's resources");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            try {
                roundTrips.close();
            } finally {
                try {
                    documentsClient.close();
                } finally {
                    if (caches != null) {
                        caches.close();
                    }
                }
            }
        }
    }

    /** The handlers of {@link #ROUTES}. */
    private record Handlers(QueryService queries, DocumentIntake intake, Access access,
                            PrometheusMeterRegistry metrics, byte[] openApi) {
        Handler forRoute(Route route) {
            return switch (route.method() + " " + route.path()) {
                case "POST /v1/collections/{collection}/query" -> ctx -> QueryEndpoint.query(ctx, queries, access);
                case "POST /v1/chat/completions" -> ctx -> ChatCompletions.handle(ctx, queries, access);
                case "POST /v1/collections/{collection}/documents" -> intake::upsert;
                case "DELETE /v1/collections/{collection}/documents/{docId}" -> intake::delete;
                case "GET /health" -> ctx -> ctx.json(Map.of("status", "UP"));
                case "GET /ready" -> ctx -> ctx.json(Map.of("status", "READY"));
                case "GET /metrics" -> ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(metrics.scrape());
                case "GET /openapi.json" -> ctx -> ctx.contentType("application/json").result(openApi);
                default -> throw new IllegalStateException("no handler for " + route);
            };
        }
    }

    /** Who may read and write which collection: everyone without API keys, else what each key's grant says. */
    record Access(ApiKeys keys) {
        /** @throws ApiException 400 for an invalid collection name, 401 or 403 when the key does not allow it */
        void require(Context ctx, String collection, boolean write) {
            CollectionNames.problem(collection).ifPresent(problem -> {
                throw new ApiException(400, problem);
            });
            if (keys != null) {
                keys.authorize(ctx, collection, write);
            }
        }
    }

    /** Reads the body as a JSON value of {@code type}, or 400 naming what is wrong. */
    static <T> T body(Context ctx, Class<T> type) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) {
            throw new ApiException(400, "the request has no body; send a JSON object");
        }
        try {
            return JSON.readValue(bytes, type);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiException(400, "unreadable body: " + e.getMessage());
        }
    }
}
