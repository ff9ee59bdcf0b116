package io.streamrag.client;

import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.QueryResponse;
import io.streamrag.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a user does with a running streamrag: submit and delete documents, wait until they are searchable, and
 * ask questions. Talks to the stack only through its Kafka topics.
 *
 * <p>Thread-safe: its producers are, and each wait opens its own consumers. The caller owns and closes it.
 */
public final class StreamragClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamragClient.class);
    /** How long a submission waits for cache invalidation after its documents became searchable. */
    private static final Duration INVALIDATION_WAIT = Duration.ofSeconds(10);

    private final String bootstrapServers;
    private final Map<String, String> clientProperties;
    private final KafkaProducer<String, DocumentEvent> documentProducer;
    private final KafkaProducer<String, QueryRequest> queryProducer;

    private StreamragClient(String bootstrapServers, Map<String, String> clientProperties) {
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = Map.copyOf(clientProperties);
        this.documentProducer = new KafkaProducer<>(producerProperties(bootstrapServers, clientProperties),
                Topics.DOCUMENTS.keySerde().serializer(), Topics.DOCUMENTS.valueSerde().serializer());
        this.queryProducer = new KafkaProducer<>(producerProperties(bootstrapServers, clientProperties),
                Topics.QUERIES.keySerde().serializer(), Topics.QUERIES.valueSerde().serializer());
    }

    /**
     * Connects to the stack's Kafka cluster, failing fast when nothing answers there.
     *
     * @throws StackUnreachableException when the cluster does not answer within {@code timeout}
     */
    public static StreamragClient connect(String bootstrapServers, Duration timeout) {
        return connect(bootstrapServers, Map.of(), timeout);
    }

    /**
     * As {@link #connect(String, Duration)}, with further Kafka client properties (security: SASL, TLS) for every
     * producer, consumer and admin client it opens.
     */
    public static StreamragClient connect(String bootstrapServers, Map<String, String> clientProperties,
                                          Duration timeout) {
        checkReachable(bootstrapServers, clientProperties, timeout);
        return new StreamragClient(bootstrapServers, clientProperties);
    }

    static void checkReachable(String bootstrapServers, Map<String, String> clientProperties, Duration timeout) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        try (Admin admin = Admin.create(props)) {
            var topics = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!topics.contains(Topics.QUERIES.name()) || !topics.contains(Topics.DOCUMENTS.name())) {
                throw new StackUnreachableException("Kafka at " + bootstrapServers + " has no " + Topics.DOCUMENTS.name()
                        + "/" + Topics.QUERIES.name() + " topics: is this a streamrag stack (`streamrag dev`)?");
            }
        } catch (TimeoutException | ExecutionException e) {
            throw new StackUnreachableException("cannot reach Kafka at " + bootstrapServers + " within "
                    + timeout.toSeconds() + "s: is `streamrag dev` running? (--bootstrap sets the address)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackUnreachableException("interrupted while connecting to " + bootstrapServers);
        }
    }

    private static Properties producerProperties(String bootstrapServers, Map<String, String> clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        // a document may be several MB of text
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        return props;
    }

    /**
     * Starts watching index changes from now on: open it before {@link #send} so that no change is missed.
     */
    public IndexChangeWatcher watchIndexChanges() {
        return new IndexChangeWatcher(bootstrapServers, clientProperties);
    }

    /** Sends document events and returns once the broker acknowledged every one. */
    public void send(List<DocumentEvent> events) {
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        for (DocumentEvent event : events) {
            String key = Topics.documentKey(event.getCollection(), event.getDocId());
            acks.add(documentProducer.send(new ProducerRecord<>(Topics.DOCUMENTS.name(), key, event)));
        }
        documentProducer.flush();
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get();
            } catch (ExecutionException e) {
                throw new StackUnreachableException("Kafka did not accept a document: " + e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackUnreachableException("interrupted while sending documents");
            }
        }
    }

    /**
     * Sends document events and waits until every one of them is visible to searches (its IndexChange, or one
     * of a later version of the same document, has been announced) and, where a cache invalidation processor
     * runs, until it has applied those announcements, so that a question asked next sees the new versions. Where
     * none runs, or it has not applied them in time, it logs a warning: cached answers may then be older.
     *
     * @return the announcements, one per document
     * @throws StackUnreachableException naming how many documents are missing when the timeout passes
     */
    public List<IndexChange> sendAndAwaitVisible(List<DocumentEvent> events, Duration timeout) {
        Map<String, Long> expected = new LinkedHashMap<>();
        for (DocumentEvent event : events) {
            expected.merge(Topics.documentKey(event.getCollection(), event.getDocId()), event.getVersion(), Math::max);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (IndexChangeWatcher watcher = watchIndexChanges()) {
            send(events);
            List<IndexChange> changes = watcher.awaitVersions(expected, timeout);
            Duration left = Duration.ofNanos(Math.min(Math.max(deadline - System.nanoTime(), 0),
                    INVALIDATION_WAIT.toNanos()));
            switch (InvalidationProgress.awaitApplied(bootstrapServers, clientProperties,
                    watcher.offsetsAfterMatches(), left)) {
                case APPLIED -> { }
                case NO_PROCESSOR -> LOG.warn("the documents are searchable, but no cache invalidation processor"
                        + " is running: a query processor with caches may serve answers from before them until one"
                        + " runs and applies the changes");
                case TIMED_OUT -> LOG.warn("the documents are searchable, but the cache invalidation processor has"
                        + " not applied the changes after {} s (is Redis down?): until it does, cached answers may"
                        + " lag", left.toSeconds());
            }
            return changes;
        }
    }

    /**
     * Asks a question and waits for its one response.
     *
     * @throws StackUnreachableException when no response arrives within {@code timeout}
     */
    public QueryResponse ask(QueryRequest request, Duration timeout) {
        try (ResponseWatcher responses = new ResponseWatcher(bootstrapServers, clientProperties)) {
            queryProducer.send(new ProducerRecord<>(Topics.QUERIES.name(), request.getRequestId(), request));
            queryProducer.flush();
            return responses.await(request.getRequestId(), timeout);
        }
    }

    @Override
    public void close() {
        documentProducer.close(Duration.ofSeconds(5));
        queryProducer.close(Duration.ofSeconds(5));
    }
}
