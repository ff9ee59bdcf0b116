package io.streamrag.query;

import io.streamrag.core.query.QueryEngine;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running query processor: {@link QueryTopology} inside a {@link KafkaStreams} instance.
 *
 * <p>The caller owns the instance and must {@link #close()} it; the engine stays owned by the caller and is not
 * closed here. A stream thread that dies from an unexpected exception is logged and replaced, so the processor keeps
 * answering. Thread-safe.
 */
public final class QueryStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueryStreams.class);

    private final KafkaStreams streams;
    private final Duration closeTimeout;
    private final Object stateChanged = new Object();

    private QueryStreams(KafkaStreams streams, Duration closeTimeout) {
        this.streams = streams;
        this.closeTimeout = closeTimeout;
    }

    /**
     * Builds the topology and starts it. Returns at once; use {@link #awaitRunning(Duration)} to wait until it has
     * joined its consumer group and is processing.
     *
     * @throws org.apache.kafka.streams.errors.StreamsException if Kafka Streams refuses to start (e.g. the state
     *                                                          directory is locked by another instance)
     */
    public static QueryStreams start(QueryStreamsSettings settings, QueryEngine engine) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(engine, "engine");
        Topology topology = QueryTopology.build(settings, engine);
        KafkaStreams streams = new KafkaStreams(topology, settings.toStreamsProperties());
        QueryStreams app = new QueryStreams(streams, settings.closeTimeout());
        streams.setUncaughtExceptionHandler(e -> {
            // Bad input and engine failures are handled in the topology; reaching here means a bug or an
            // infrastructure failure. Replacing the thread keeps the partitions served; the task resumes from its
            // last commit, so under exactly-once no response is duplicated.
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
        LOG.info("Started query processor with {}", settings);
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
                    throw new IllegalStateException("the query processor is " + state + " and will not run");
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

    /** Stops processing, waiting at most the configured close timeout; idempotent. */
    @Override
    public void close() {
        if (!streams.close(closeTimeout)) {
            LOG.warn("The query processor did not stop within {}; its threads may still be shutting down",
                    closeTimeout);
        }
    }
}
