package io.streamrag.query;

import io.streamrag.core.query.QueryEngine;
import io.streamrag.streams.HealthServer;
import io.streamrag.streams.ProcessorStreams;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running query processor: {@link QueryTopology} inside a {@link KafkaStreams} instance.
 *
 * <p>The caller owns the instance and must {@link #close()} it; the engine stays owned by the caller and is not
 * closed here. A stream thread that dies from an unexpected exception is logged and replaced, so the processor keeps
 * answering: bad input and engine failures are handled in the topology, so reaching that point means a bug or an
 * infrastructure failure, and the replacement resumes from its last commit, so under exactly-once no response is
 * duplicated. Thread-safe.
 */
public final class QueryStreams implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryStreams.class);

    private final ProcessorStreams streams;

    private QueryStreams(ProcessorStreams streams) {
        this.streams = streams;
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
        ProcessorStreams streams = ProcessorStreams.start("query processor", QueryTopology.build(settings, engine),
                settings.toStreamsProperties(), settings.closeTimeout());
        LOG.info("Started query processor with {}", settings);
        return new QueryStreams(streams);
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
