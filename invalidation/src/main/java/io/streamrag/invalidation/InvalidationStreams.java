package io.streamrag.invalidation;

import io.streamrag.core.cache.CacheInvalidator;
import io.streamrag.streams.HealthServer;
import io.streamrag.streams.ProcessorStreams;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running invalidation processor: {@link InvalidationTopology} inside a {@link KafkaStreams} instance.
 *
 * <p>The caller owns the instance and must {@link #close()} it; the invalidator stays owned by the caller. A stream
 * thread that dies (for example after the caches stayed unreachable for the whole retry time) is logged and
 * replaced; it resumes from its last commit, so the change it could not apply is applied later, never dropped.
 * Thread-safe.
 */
public final class InvalidationStreams implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidationStreams.class);

    private final ProcessorStreams streams;
    private final InvalidationMetrics metrics;

    private InvalidationStreams(ProcessorStreams streams, InvalidationMetrics metrics) {
        this.streams = streams;
        this.metrics = metrics;
    }

    /**
     * Builds the topology and starts it. Returns at once; use {@link #awaitRunning(Duration)} to wait until it has
     * joined its consumer group and is processing.
     *
     * @throws org.apache.kafka.streams.errors.StreamsException if Kafka Streams refuses to start (e.g. the state
     *                                                          directory is locked by another instance)
     */
    public static InvalidationStreams start(InvalidationSettings settings, CacheInvalidator invalidator) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(invalidator, "invalidator");
        InvalidationMetrics metrics = new InvalidationMetrics();
        ProcessorStreams streams = ProcessorStreams.start("invalidation processor",
                InvalidationTopology.build(settings, invalidator, metrics), settings.toStreamsProperties(),
                settings.closeTimeout());
        LOG.info("Started invalidation processor with {} on {}", settings, invalidator);
        return new InvalidationStreams(streams, metrics);
    }

    /**
     * Waits until the processor is {@code RUNNING}.
     *
     * @return true once running, false if the timeout passed first
     * @throws IllegalStateException if the processor stopped or failed instead (it will not come back)
     * @throws InterruptedException  if interrupted while waiting
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return streams.awaitRunning(timeout);
    }

    /** Lag and counts of this processor. */
    public InvalidationMetrics metrics() {
        return metrics;
    }

    /** Liveness and readiness for {@link HealthServer}. */
    public HealthServer.Check healthCheck() {
        return streams.healthCheck();
    }

    /** The current Kafka Streams state, for health checks. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Stops processing, waiting at most the configured close timeout; idempotent. */
    @Override
    public void close() {
        streams.close();
    }
}
