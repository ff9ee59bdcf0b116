package io.streamrag.client;

import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.QueryResponse;
import io.streamrag.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many questions in flight at once over rag.queries / rag.responses, for a long-lived process (the HTTP gateway):
 * one producer and one thread tailing rag.responses (from its end at construction, no consumer group), which
 * completes each waiting request by its requestId. Responses to requests this instance did not send are skipped.
 *
 * <p>Thread-safe; the owner closes it, which fails the requests still waiting.
 */
public final class QueryRoundTrips implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryRoundTrips.class);

    private final KafkaProducer<String, QueryRequest> producer;
    private final TopicTail<String, QueryResponse> responses;
    private final Map<String, CompletableFuture<QueryResponse>> waiting = new ConcurrentHashMap<>();
    private final Thread poller;
    private volatile boolean running = true;

    /**
     * @param bootstrapServers the Kafka cluster
     * @param clientProperties further Kafka client properties (security), may be empty
     */
    public QueryRoundTrips(String bootstrapServers, Map<String, String> clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.responses = new TopicTail<>(bootstrapServers, Topics.RESPONSES.name(),
                Topics.RESPONSES.keySerde().deserializer(), Topics.RESPONSES.valueSerde().deserializer(),
                clientProperties);
        this.producer = new KafkaProducer<>(props, Topics.QUERIES.keySerde().serializer(),
                Topics.QUERIES.valueSerde().serializer());
        this.poller = new Thread(this::poll, "query-round-trips");
        poller.setDaemon(true);
        poller.start();
    }

    /**
     * Sends {@code request} to rag.queries; the future completes with its one response, or exceptionally with a
     * {@link TimeoutException} after {@code timeout} or with the send failure.
     */
    public CompletableFuture<QueryResponse> ask(QueryRequest request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        String requestId = request.getRequestId();
        CompletableFuture<QueryResponse> response = new CompletableFuture<>();
        if (waiting.putIfAbsent(requestId, response) != null) {
            throw new IllegalArgumentException("request " + requestId + " is already waiting for its answer");
        }
        response.whenComplete((r, e) -> waiting.remove(requestId));
        try {
            producer.send(new ProducerRecord<>(Topics.QUERIES.name(), requestId, request), (metadata, e) -> {
                if (e != null) {
                    response.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            response.completeExceptionally(e); // no metadata within max.block.ms, a closed producer
        }
        return response.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Requests waiting for their response now. */
    public int inFlight() {
        return waiting.size();
    }

    private void poll() {
        while (running) {
            try {
                for (ConsumerRecord<String, QueryResponse> record : responses.poll(Duration.ofMillis(100))) {
                    QueryResponse response = record.value();
                    if (response == null) {
                        continue;
                    }
                    CompletableFuture<QueryResponse> future = waiting.get(response.getRequestId());
                    if (future != null) {
                        future.complete(response);
                    }
                }
            } catch (InterruptException e) {
                break;
            } catch (RuntimeException e) {
                // an undecodable response cannot be matched to a request; its request times out and says so
                LOG.warn("skipping responses that could not be read: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            poller.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            producer.close(Duration.ofSeconds(5));
        } finally {
            responses.close();
            waiting.values().forEach(f -> f.completeExceptionally(new IllegalStateException("the client closed")));
        }
    }
}
