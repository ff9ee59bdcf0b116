package io.streamrag.invalidation;

import io.streamrag.core.cache.CacheInvalidator;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
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

    private final KafkaStreams streams;
    private final Duration closeTimeout;
    private final InvalidationMetrics metrics;
    private final Object stateChanged = new Object();

    private InvalidationStreams(KafkaStreams streams, Duration closeTimeout, InvalidationMetrics metrics) {
        this.streams = streams;
        this.closeTimeout = closeTimeout;
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
        Topology topology = InvalidationTopology.build(settings, invalidator, metrics);
        KafkaStreams streams = new KafkaStreams(topology, settings.toStreamsProperties());
        InvalidationStreams app = new InvalidationStreams(streams, settings.closeTimeout(), metrics);
        streams.setUncaughtExceptionHandler(e -> {
            // Bad input is handled in the topology; reaching here means the caches stayed unreachable past the retry
            // time, a bug, or an infrastructure failure. The replacement resumes from the last commit, so the
            // change is invalidated again (at least once), never skipped.
            LOG.error("Stream thread of {} died; replacing it", settings.applicationId(), e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((newState, oldState) -> {
            LOG.info("{} state {} -> {}", settings.applicationId(), oldState, newState);
            synchronized (app.stateChanged) {
                app.stateChanged.notifyAll();
            }
        });
        try {
            streams.start();
        } catch (RuntimeException e) {
            streams.close(settings.closeTimeout());
            throw e;
        }
        LOG.info("Started invalidation processor with {} on {}", settings, invalidator);
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
                    throw new IllegalStateException("the invalidation processor is " + state + " and will not run");
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

    /** Lag and counts of this processor. */
    public InvalidationMetrics metrics() {
        return metrics;
    }

    /** The current Kafka Streams state, for health checks. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Stops processing, waiting at most the configured close timeout; idempotent. */
    @Override
    public void close() {
        if (!streams.close(closeTimeout)) {
            LOG.warn("The invalidation processor did not stop within {}; its threads may still be shutting down",
                    closeTimeout);
        }
    }
}
