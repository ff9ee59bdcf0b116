package io.streamrag.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamrag.client.QueryResponses;
import io.streamrag.client.QueryRoundTrips;
import io.streamrag.core.CollectionNames;
import io.streamrag.core.cache.RedisCaches;
import io.streamrag.core.query.Query;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.QueryResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one question: validates it, serves it from L1 in Redis when the answer is cached there and still valid,
 * otherwise sends it to rag.queries and waits for its one response. Each question is answered once and logged
 * once (requestId, collection, route, mode). At most {@code maxInFlight} questions wait at once; more are refused
 * with 429 at once instead of queueing. Thread-safe.
 */
final class QueryService {
    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);

    /** What a client asks. */
    record Question(String collection, String text, Integer topK, Map<String, String> filters) {
    }

    private final QueryRoundTrips roundTrips;
    private final RedisCaches caches; // null: L1 is not read here
    private final Semaphore inFlight;
    private final int maxQuestionChars;
    private final int defaultTopK;
    private final int maxTopK;
    private final Duration timeout;
    private final MeterRegistry metrics;

    QueryService(QueryRoundTrips roundTrips, RedisCaches caches, GatewayConfig config, MeterRegistry metrics) {
        this.roundTrips = Objects.requireNonNull(roundTrips, "roundTrips");
        this.caches = caches;
        this.inFlight = new Semaphore(config.getInt(GatewayConfig.MAX_IN_FLIGHT));
        this.maxQuestionChars = config.getInt(GatewayConfig.MAX_QUESTION_CHARS);
        this.defaultTopK = config.getInt(GatewayConfig.DEFAULT_TOP_K);
        this.maxTopK = config.getInt(GatewayConfig.MAX_TOP_K);
        this.timeout = config.queryTimeout();
        this.metrics = metrics;
        metrics.gauge("streamrag.gateway.in.flight", inFlight,
                s -> config.getInt(GatewayConfig.MAX_IN_FLIGHT) - s.availablePermits());
    }

    /**
     * The one answer to {@code question}.
     *
     * @throws ApiException 400/413 for a bad question, 429 when too many are in flight, 504 when no answer came
     */
    QueryResponse answer(Question question) {
        Query query = validate(question);
        if (!inFlight.tryAcquire()) {
            metrics.counter("streamrag.gateway.rejected", "reason", "overload").increment();
            throw new ApiException(429, "too many questions in flight at this gateway (max.in.flight); retry later", 1);
        }
        try {
            String requestId = UUID.randomUUID().toString();
            long start = System.nanoTime();
            Optional<QueryResponse> hit = fromL1(requestId, query);
            String route = hit.isPresent() ? "l1" : "engine";
            QueryResponse response = hit.orElseGet(() -> fromEngine(requestId, query));
            LOG.info("answered requestId={} collection={} route={} mode={} ms={}", requestId, query.collection(),
                    route, response.getDegradationMode(), (System.nanoTime() - start) / 1_000_000);
            metrics.counter("streamrag.gateway.answers", "route", route, "mode", response.getDegradationMode())
                    .increment();
            return response;
        } finally {
            inFlight.release();
        }
    }

    private Query validate(Question q) {
        Optional<String> badCollection = CollectionNames.problem(q.collection());
        if (badCollection.isPresent()) {
            throw new ApiException(400, badCollection.get());
        }
        if (q.text() == null || q.text().isBlank()) {
            throw new ApiException(400, "the question is empty");
        }
        if (q.text().length() > maxQuestionChars) {
            throw new ApiException(413, "the question has " + q.text().length() + " characters, more than the limit"
                    + " of " + maxQuestionChars);
        }
        int topK = q.topK() == null ? defaultTopK : q.topK();
        if (topK < 1 || topK > maxTopK) {
            throw new ApiException(400, "topK must be between 1 and " + maxTopK + ", got " + topK);
        }
        return new Query(q.collection(), q.text(), q.filters() == null ? Map.of() : q.filters(), topK);
    }

    private Optional<QueryResponse> fromL1(String requestId, Query query) {
        if (caches == null) {
            return Optional.empty();
        }
        return caches.cachedAnswer(query).map(result -> QueryResponses.of(requestId, query.collection(), result));
    }

    private QueryResponse fromEngine(String requestId, Query query) {
        QueryRequest request = QueryRequest.newBuilder()
                .setRequestId(requestId)
                .setCollection(query.collection())
                .setText(query.text())
                .setFilters(new HashMap<>(query.filters()))
                .setTopK(query.topK())
                .setDeadline(Instant.now().plus(timeout))
                .build();
        try {
            return roundTrips.ask(request, timeout).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw new ApiException(504, "no answer within " + timeout.toMillis() + " ms: are the query processors"
                        + " running?");
            }
            throw new ApiException(503, "the question could not be sent: " + e.getCause().getMessage(), 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while waiting for the answer", 1);
        }
    }
}
