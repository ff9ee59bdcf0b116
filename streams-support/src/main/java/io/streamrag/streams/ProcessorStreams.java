package io.streamrag.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Kafka Streams processor of streamrag: started with a replace-the-thread policy for stream threads that
 * die (bad input is handled inside the topologies, so a dead thread means a bug or an infrastructure failure, and
 * the replacement resumes from its task's last commit), a way to wait until it is {@code RUNNING}, and a bounded
 * close. Both the query and the invalidation processor run on it.
 *
 * <p>The caller owns the instance and must {@link #close()} it. Thread-safe.
 */
public final class ProcessorStreams implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorStreams.class);

    private final String name;
    private final KafkaStreams streams;
    private final Duration closeTimeout;
    private final Object stateChanged = new Object();

    private ProcessorStreams(String name, KafkaStreams streams, Duration closeTimeout) {
        this.name = name;
        this.streams = streams;
        this.closeTimeout = closeTimeout;
    }

    /**
     * The settings every streamrag processor shares: where Kafka is, the application id (also the consumer group),
     * the state directory, and byte-array default serdes (the topologies decode values themselves).
     *
     * @return a fresh, mutable copy that the caller owns and adds its own settings to
     */
    public static Properties baseProperties(String bootstrapServers, String applicationId, Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        return props;
    }

    /**
     * Adds Kafka client properties given by the user ({@code kafka.*} keys, e.g. SASL and TLS settings) to a
     * processor's own properties.
     *
     * @throws IllegalArgumentException if one of them is a property the processor sets itself (its exactly-once
     *                                  guarantee, serdes, commit interval...): those have options of their own
     */
    public static Properties withClientProperties(Properties processorProps, Map<String, String> clientProperties) {
        Properties props = new Properties();
        props.putAll(processorProps);
        clientProperties.forEach((key, value) -> {
            if (processorProps.containsKey(key)) {
                throw new IllegalArgumentException("Kafka property '" + key + "' is set by the processor itself (to "
                        + processorProps.get(key) + "); use the processor's own option for it instead of "
                        + ConfigSources.KAFKA_PREFIX + key);
            }
            props.put(key, value);
        });
        return props;
    }

    /**
     * Starts {@code topology}. Returns at once; use {@link #awaitRunning(Duration)} to wait until it has joined its
     * consumer group and is processing.
     *
     * @param name         what the processor is, for messages (e.g. "query processor")
     * @param props        its Kafka Streams configuration, {@link StreamsConfig#APPLICATION_ID_CONFIG} included
     * @param closeTimeout how long {@link #close()} waits
     * @throws org.apache.kafka.streams.errors.StreamsException if Kafka Streams refuses to start (e.g. the state
     *                                                          directory is locked by another instance)
     */
    public static ProcessorStreams start(String name, Topology topology, Properties props, Duration closeTimeout) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        Object applicationId = props.get(StreamsConfig.APPLICATION_ID_CONFIG);
        KafkaStreams streams = new KafkaStreams(topology, props);
        ProcessorStreams app = new ProcessorStreams(name, streams, closeTimeout);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Stream thread of {} died; replacing it", applicationId, e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((newState, oldState) -> {
            LOG.info("{} state {} -> {}", applicationId, oldState, newState);
            synchronized (app.stateChanged) {
                app.stateChanged.notifyAll();
            }
        });
        try {
            streams.start();
        } catch (RuntimeException e) {
            streams.close(closeTimeout);
            throw e;
        }
        return app;
    }

    /**
     * Waits until the processor is {@code RUNNING}.
     *
     * @return true once running, false if the timeout passed first
     * @throws IllegalStateException if the processor stopped or failed instead (it will not come back)
     * @throws InterruptedException  if interrupted while waiting
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stateChanged) {
            while (true) {
                KafkaStreams.State state = streams.state();
                if (state == KafkaStreams.State.RUNNING) {
                    return true;
                }
                if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
                    throw new IllegalStateException("the " + name + " is " + state + " and will not run");
                }
                long leftNanos = deadline - System.nanoTime();
                if (leftNanos <= 0) {
                    return false;
                }
                // Bounded waits: the state can change between reading it and waiting, and the listener may fire
                // before we wait.
                long waitMs = Math.max(1, Math.min(100, leftNanos / 1_000_000));
                stateChanged.wait(waitMs);
            }
        }
    }

    /** The current Kafka Streams state, for health checks. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Health as {@link HealthServer} reports it: live unless Kafka Streams failed for good ({@code ERROR}, or
     * {@code NOT_RUNNING} after a failure); ready while {@code RUNNING}.
     */
    public HealthServer.Check healthCheck() {
        return new HealthServer.Check() {
            @Override
            public boolean live() {
                KafkaStreams.State state = streams.state();
                return state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR;
            }

            @Override
            public boolean ready() {
                return streams.state() == KafkaStreams.State.RUNNING;
            }

            @Override
            public String state() {
                return streams.state().name();
            }
        };
    }

    /** Stops processing, waiting at most the close timeout; idempotent. */
    @Override
    public void close() {
        if (!streams.close(closeTimeout)) {
            LOG.warn("The {} did not stop within {}; its threads may still be shutting down", name, closeTimeout);
        }
    }
}
