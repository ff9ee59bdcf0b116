package io.streamrag.invalidation;

import io.streamrag.schemas.Topics;
import io.streamrag.streams.ProcessorStreams;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Configuration of the invalidation processor.
 *
 * <table>
 *   <caption>options</caption>
 *   <tr><th>option</th><th>default</th><th>rule</th></tr>
 *   <tr><td>{@code bootstrapServers}</td><td>none, required</td><td>not blank</td></tr>
 *   <tr><td>{@code applicationId}</td><td>{@value #DEFAULT_APPLICATION_ID}</td><td>not blank; also the consumer
 *       group</td></tr>
 *   <tr><td>{@code stateDir}</td><td>{@code ${java.io.tmpdir}/kafka-streams}</td><td>Kafka Streams' lock
 *       directory (the topology keeps no state)</td></tr>
 *   <tr><td>{@code indexChangesTopic}, {@code controlTopic}</td><td>{@code Topics.INDEX_CHANGES},
 *       {@code Topics.CONTROL}</td><td>not blank, distinct</td></tr>
 *   <tr><td>{@code retryBackoff}</td><td>50 ms, doubling to 1 s</td><td>&gt; 0; between attempts while the caches
 *       are unreachable</td></tr>
 *   <tr><td>{@code maxRetryTime}</td><td>60 s</td><td>&gt; 0; then the stream thread fails, is replaced and
 *       re-reads the change from its last commit: an invalidation is never dropped</td></tr>
 *   <tr><td>{@code closeTimeout}</td><td>30 s</td><td>&ge; 0</td></tr>
 *   <tr><td>{@code clock}</td><td>{@link Clock#systemUTC()}</td><td>measures invalidation lag</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe. Build with {@link #builder()}.
 */
public final class InvalidationSettings {
    public static final String DEFAULT_APPLICATION_ID = "streamrag-invalidation";
    public static final Duration DEFAULT_MAX_RETRY_TIME = Duration.ofSeconds(60);

    private final String bootstrapServers;
    private final String applicationId;
    private final Path stateDir;
    private final String indexChangesTopic;
    private final String controlTopic;
    private final Duration retryBackoff;
    private final Duration maxRetryTime;
    private final Duration closeTimeout;
    private final Clock clock;
    private final Map<String, String> clientProperties;

    private InvalidationSettings(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.applicationId = b.applicationId;
        this.stateDir = b.stateDir;
        this.indexChangesTopic = b.indexChangesTopic;
        this.controlTopic = b.controlTopic;
        this.retryBackoff = b.retryBackoff;
        this.maxRetryTime = b.maxRetryTime;
        this.closeTimeout = b.closeTimeout;
        this.clock = b.clock;
        this.clientProperties = Map.copyOf(b.clientProperties);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String applicationId() {
        return applicationId;
    }

    public Path stateDir() {
        return stateDir;
    }

    public String indexChangesTopic() {
        return indexChangesTopic;
    }

    public String controlTopic() {
        return controlTopic;
    }

    public Duration retryBackoff() {
        return retryBackoff;
    }

    public Duration maxRetryTime() {
        return maxRetryTime;
    }

    public Duration closeTimeout() {
        return closeTimeout;
    }

    public Clock clock() {
        return clock;
    }

    /** Kafka client properties passed through (security, TLS, timeouts), never one the processor sets itself. */
    public Map<String, String> clientProperties() {
        return clientProperties;
    }

    /**
     * At-least-once (invalidations are idempotent in effect, and the effect happens in Redis, outside any Kafka
     * transaction), one thread, no poll delay, byte-array default serdes (the topology decodes values itself).
     *
     * <p>The consumer reads {@code read_uncommitted}. The ingest job writes each {@code IndexChange} only after the
     * store commit it announces, inside an exactly-once sink transaction that commits at the job's next checkpoint
     * (up to a second later). Every record on the topic, in a committed transaction, an open one or one later
     * aborted by a failover, therefore describes a change that is already durable and visible to readers
     * (invariant 2), so acting on it at once is safe: invalidating is ordered after the store commit, not after the
     * Kafka commit. An aborted record is announced again when the job replays from its checkpoint; invalidating
     * twice only costs a cache miss. Waiting for {@code read_committed} would add the checkpoint interval to every
     * invalidation (measured: lag p99 ≈ 0.6 s at a 1 s interval, see docs/benchmarks.md "Caches").
     *
     * @return a fresh, mutable copy that the caller owns
     */
    public Properties toStreamsProperties() {
        Properties props = ProcessorStreams.baseProperties(bootstrapServers, applicationId, stateDir);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.POLL_MS_CONFIG, 10);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_uncommitted");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 50);
        return ProcessorStreams.withClientProperties(props, clientProperties);
    }

    @Override
    public String toString() {
        return "InvalidationSettings{bootstrapServers=" + bootstrapServers + ", applicationId=" + applicationId
                + ", stateDir=" + stateDir + ", indexChangesTopic=" + indexChangesTopic + ", controlTopic="
                + controlTopic + ", retryBackoff=" + retryBackoff + ", maxRetryTime=" + maxRetryTime
                + ", closeTimeout=" + closeTimeout + ", clock=" + clock
                + ", clientProperties=" + clientProperties.keySet() + "}";
    }

    /** Collects and validates options; not thread-safe. Each setter rejects a bad value at once. */
    public static final class Builder {
        private String bootstrapServers;
        private String applicationId = DEFAULT_APPLICATION_ID;
        private Path stateDir = Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams");
        private String indexChangesTopic = Topics.INDEX_CHANGES.name();
        private String controlTopic = Topics.CONTROL.name();
        private Duration retryBackoff = Duration.ofMillis(50);
        private Duration maxRetryTime = DEFAULT_MAX_RETRY_TIME;
        private Duration closeTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private Map<String, String> clientProperties = Map.of();

        private Builder() {
        }

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = notBlank("bootstrapServers", bootstrapServers);
            return this;
        }

        public Builder applicationId(String applicationId) {
            this.applicationId = notBlank("applicationId", applicationId);
            return this;
        }

        public Builder stateDir(Path stateDir) {
            this.stateDir = Objects.requireNonNull(stateDir, "stateDir must not be null");
            return this;
        }

        public Builder indexChangesTopic(String topic) {
            this.indexChangesTopic = notBlank("indexChangesTopic", topic);
            return this;
        }

        public Builder controlTopic(String topic) {
            this.controlTopic = notBlank("controlTopic", topic);
            return this;
        }

        public Builder retryBackoff(Duration backoff) {
            this.retryBackoff = positive("retryBackoff", backoff);
            return this;
        }

        public Builder maxRetryTime(Duration maxRetryTime) {
            this.maxRetryTime = positive("maxRetryTime", maxRetryTime);
            return this;
        }

        public Builder closeTimeout(Duration closeTimeout) {
            Objects.requireNonNull(closeTimeout, "closeTimeout must not be null");
            if (closeTimeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must be >= 0, got " + closeTimeout);
            }
            this.closeTimeout = closeTimeout;
            return this;
        }

        /**
         * Kafka client properties to pass through, e.g. {@code security.protocol}, {@code sasl.jaas.config},
         * {@code ssl.truststore.location}; checked against the processor's own properties when they are built.
         */
        public Builder clientProperties(Map<String, String> clientProperties) {
            this.clientProperties = Map.copyOf(Objects.requireNonNull(clientProperties,
                    "clientProperties must not be null"));
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** @throws IllegalStateException if bootstrapServers is unset or both topics are the same */
        public InvalidationSettings build() {
            if (bootstrapServers == null) {
                throw new IllegalStateException("bootstrapServers must be set");
            }
            if (indexChangesTopic.equals(controlTopic)) {
                throw new IllegalStateException("indexChangesTopic and controlTopic must differ, got " + controlTopic);
            }
            return new InvalidationSettings(this);
        }

        private static String notBlank(String name, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank, got "
                        + (value == null ? "null" : "'" + value + "'"));
            }
            return value;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, got " + d);
            }
            return d;
        }
    }
}
