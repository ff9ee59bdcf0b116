package io.streamrag.query;

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
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * Configuration of the query processor: where Kafka is, which topics to use and how requests are validated.
 *
 * <p>Every option, its default and its rule:
 * <table>
 *   <caption>options</caption>
 *   <tr><th>option</th><th>default</th><th>rule</th></tr>
 *   <tr><td>{@code bootstrapServers}</td><td>none, required</td><td>not blank</td></tr>
 *   <tr><td>{@code applicationId}</td><td>{@value #DEFAULT_APPLICATION_ID}</td><td>not blank; also the consumer
 *       group and the transactional id prefix</td></tr>
 *   <tr><td>{@code stateDir}</td><td>{@code ${java.io.tmpdir}/kafka-streams}</td><td>Kafka Streams' state and lock
 *       directory</td></tr>
 *   <tr><td>{@code numStreamThreads}</td><td>{@value #DEFAULT_NUM_STREAM_THREADS}</td><td>&gt; 0; queries
 *       answered at once (each thread blocks on its LLM call); useful up to the partitions of the queries topic</td></tr>
 *   <tr><td>{@code queriesTopic}</td><td>{@code Topics.QUERIES}</td><td>not blank, distinct from the others</td></tr>
 *   <tr><td>{@code responsesTopic}</td><td>{@code Topics.RESPONSES}</td><td>not blank, distinct</td></tr>
 *   <tr><td>{@code deadLetterTopic}</td><td>{@code Topics.QUERIES_DLQ}</td><td>not blank, distinct</td></tr>
 *   <tr><td>{@code maxQuestionChars}</td><td>{@value #DEFAULT_MAX_QUESTION_CHARS}</td><td>&gt; 0; longer questions
 *       (in UTF-16 chars) get an error response</td></tr>
 *   <tr><td>{@code defaultTopK}</td><td>{@value #DEFAULT_TOP_K}</td><td>&gt; 0; used when a request's topK is
 *       &le; 0</td></tr>
 *   <tr><td>{@code commitInterval}</td><td>20 ms</td><td>&gt; 0; under exactly-once a response becomes visible
 *       to read_committed consumers only at its thread's next commit, so this bounds the wait of fast answers
 *       (cache hits); see {@link #DEFAULT_COMMIT_INTERVAL}</td></tr>
 *   <tr><td>{@code sessionTimeout}</td><td>{@value #DEFAULT_SESSION_TIMEOUT_MS} ms</td><td>&ge; 6 s (the
 *       broker's default minimum); how long a crashed instance's partitions go unanswered before the others take
 *       them over (heartbeats every third of it). Kafka's default is 45 s, long for a query path.</td></tr>
 *   <tr><td>{@code closeTimeout}</td><td>30 s</td><td>&ge; 0; how long {@link QueryStreams#close()} waits</td></tr>
 *   <tr><td>{@code clock}</td><td>{@link Clock#systemUTC()}</td><td>judges request deadlines and stamps dead
 *       letters</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe. Build with {@link #builder()}.
 */
public final class QueryStreamsSettings {

    public static final String DEFAULT_APPLICATION_ID = "streamrag-query";
    /**
     * Each stream thread answers one query at a time and blocks on its LLM call, so a processor answers at most
     * threads / LLM latency queries per second (16 at 200 ms: 80/s), given at least as many input partitions. Idle
     * threads cost little (a consumer and, under exactly_once_v2, one transactional producer each, a few MiB in use).
     */
    public static final int DEFAULT_NUM_STREAM_THREADS = 16;
    public static final int DEFAULT_MAX_QUESTION_CHARS = 4000;
    public static final int DEFAULT_TOP_K = 5;
    /**
     * Why 20 ms and not Kafka Streams' exactly-once default of 100 ms: an answer from the response cache takes about
     * a millisecond and then waited for the next commit; measured with the cache benchmark (docs/benchmarks.md,
     * "Caches"), the round trip of an L1 hit fell from p50 121 ms to 31 ms. A thread busy on a 200 ms LLM call
     * commits after every answer at either setting; idle threads have nothing to commit; a thread answering from
     * cache commits at most 50 transactions a second, each covering every answer of its 20 ms.
     */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(20);
    public static final long DEFAULT_SESSION_TIMEOUT_MS = 10_000;
    /** The broker's default {@code group.min.session.timeout.ms}: a shorter session is refused when joining. */
    static final Duration MIN_SESSION_TIMEOUT = Duration.ofSeconds(6);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final String applicationId;
    private final Path stateDir;
    private final int numStreamThreads;
    private final String queriesTopic;
    private final String responsesTopic;
    private final String deadLetterTopic;
    private final int maxQuestionChars;
    private final int defaultTopK;
    private final Duration commitInterval;
    private final Duration sessionTimeout;
    private final Duration closeTimeout;
    private final Clock clock;
    private final Map<String, String> clientProperties;

    private QueryStreamsSettings(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.applicationId = b.applicationId;
        this.stateDir = b.stateDir;
        this.numStreamThreads = b.numStreamThreads;
        this.queriesTopic = b.queriesTopic;
        this.responsesTopic = b.responsesTopic;
        this.deadLetterTopic = b.deadLetterTopic;
        this.maxQuestionChars = b.maxQuestionChars;
        this.defaultTopK = b.defaultTopK;
        this.commitInterval = b.commitInterval;
        this.sessionTimeout = b.sessionTimeout;
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

    public int numStreamThreads() {
        return numStreamThreads;
    }

    public String queriesTopic() {
        return queriesTopic;
    }

    public String responsesTopic() {
        return responsesTopic;
    }

    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    public int maxQuestionChars() {
        return maxQuestionChars;
    }

    public int defaultTopK() {
        return defaultTopK;
    }

    public Duration commitInterval() {
        return commitInterval;
    }

    public Duration sessionTimeout() {
        return sessionTimeout;
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
     * The Kafka Streams configuration: exactly_once_v2, byte-array default serdes (the topology names its serdes
     * explicitly; these only apply to anything that forgets to), the commit interval, and log-and-continue for
     * undecodable records as a second line of defence (the topology reads raw bytes and decodes them itself).
     *
     * @return a fresh, mutable copy that the caller owns
     */
    public Properties toStreamsProperties() {
        Properties props = ProcessorStreams.baseProperties(bootstrapServers, applicationId, stateDir);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, numStreamThreads);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                (int) sessionTimeout.toMillis());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                (int) Math.max(1, sessionTimeout.toMillis() / 3));
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        return ProcessorStreams.withClientProperties(props, clientProperties);
    }

    @Override
    public String toString() {
        return "QueryStreamsSettings{bootstrapServers=" + bootstrapServers + ", applicationId=" + applicationId
                + ", stateDir=" + stateDir + ", numStreamThreads=" + numStreamThreads
                + ", queriesTopic=" + queriesTopic + ", responsesTopic=" + responsesTopic
                + ", deadLetterTopic=" + deadLetterTopic + ", maxQuestionChars=" + maxQuestionChars
                + ", defaultTopK=" + defaultTopK + ", commitInterval=" + commitInterval
                + ", sessionTimeout=" + sessionTimeout
                + ", closeTimeout=" + closeTimeout + ", clock=" + clock
                + ", clientProperties=" + clientProperties.keySet() + "}";
    }

    /** Collects and validates options; not thread-safe. Each setter rejects a bad value at once. */
    public static final class Builder {
        private String bootstrapServers;
        private String applicationId = DEFAULT_APPLICATION_ID;
        private Path stateDir = Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams");
        private int numStreamThreads = DEFAULT_NUM_STREAM_THREADS;
        private String queriesTopic = Topics.QUERIES.name();
        private String responsesTopic = Topics.RESPONSES.name();
        private String deadLetterTopic = Topics.QUERIES_DLQ.name();
        private int maxQuestionChars = DEFAULT_MAX_QUESTION_CHARS;
        private int defaultTopK = DEFAULT_TOP_K;
        private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
        private Duration sessionTimeout = Duration.ofMillis(DEFAULT_SESSION_TIMEOUT_MS);
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
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

        public Builder numStreamThreads(int numStreamThreads) {
            this.numStreamThreads = positive("numStreamThreads", numStreamThreads);
            return this;
        }

        public Builder queriesTopic(String queriesTopic) {
            this.queriesTopic = notBlank("queriesTopic", queriesTopic);
            return this;
        }

        public Builder responsesTopic(String responsesTopic) {
            this.responsesTopic = notBlank("responsesTopic", responsesTopic);
            return this;
        }

        public Builder deadLetterTopic(String deadLetterTopic) {
            this.deadLetterTopic = notBlank("deadLetterTopic", deadLetterTopic);
            return this;
        }

        public Builder maxQuestionChars(int maxQuestionChars) {
            this.maxQuestionChars = positive("maxQuestionChars", maxQuestionChars);
            return this;
        }

        public Builder defaultTopK(int defaultTopK) {
            this.defaultTopK = positive("defaultTopK", defaultTopK);
            return this;
        }

        public Builder commitInterval(Duration commitInterval) {
            Objects.requireNonNull(commitInterval, "commitInterval must not be null");
            if (commitInterval.isNegative() || commitInterval.isZero()) {
                throw new IllegalArgumentException("commitInterval must be > 0, got " + commitInterval);
            }
            this.commitInterval = commitInterval;
            return this;
        }

        public Builder sessionTimeout(Duration sessionTimeout) {
            Objects.requireNonNull(sessionTimeout, "sessionTimeout must not be null");
            if (sessionTimeout.compareTo(MIN_SESSION_TIMEOUT) < 0 || sessionTimeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("sessionTimeout must be >= " + MIN_SESSION_TIMEOUT.toSeconds()
                        + " s (the broker's default group.min.session.timeout.ms), got " + sessionTimeout);
            }
            this.sessionTimeout = sessionTimeout;
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

        /**
         * @throws IllegalStateException if bootstrapServers was not set or two topics share a name (the processor
         *                               would read its own output)
         */
        public QueryStreamsSettings build() {
            if (bootstrapServers == null) {
                throw new IllegalStateException("bootstrapServers must be set");
            }
            if (queriesTopic.equals(responsesTopic) || queriesTopic.equals(deadLetterTopic)
                    || responsesTopic.equals(deadLetterTopic)) {
                throw new IllegalStateException("queriesTopic, responsesTopic and deadLetterTopic must differ, got "
                        + queriesTopic + ", " + responsesTopic + ", " + deadLetterTopic);
            }
            return new QueryStreamsSettings(this);
        }

        private static String notBlank(String name, String value) {
            if (value == null || value.isBlank()) {
                String shown = value == null ? "null" : "'" + value + "'";
                throw new IllegalArgumentException(name + " must not be blank, got " + shown);
            }
            return value;
        }

        private static int positive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be > 0, got " + value);
            }
            return value;
        }
    }
}
