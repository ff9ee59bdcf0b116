package io.streamrag.invalidation;

import io.streamrag.core.cache.RedisCaches;
import io.streamrag.streams.CommonOptions;
import io.streamrag.streams.HealthServer;
import io.streamrag.streams.ProcessMain;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invalidation processor as a process: {@link InvalidationStreams} on the caches' Redis, assembled from an
 * {@link InvalidationProcessorConfig}, with /health and /ready. One instance is enough (it does a few Redis
 * writes per announced change); more instances share the partitions of rag.index-changes. The dev stack runs this
 * same class in its JVM.
 *
 * <p>The creator owns it and closes it. Thread-safe.
 */
public final class InvalidationProcessor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidationProcessor.class);

    private final RedisCaches caches;
    private InvalidationStreams streams;
    private HealthServer health;

    private InvalidationProcessor(RedisCaches caches) {
        this.caches = caches;
    }

    /**
     * Connects to Redis and Kafka and starts processing. Returns once started; use {@link #awaitRunning} to wait
     * until it invalidates.
     */
    public static InvalidationProcessor start(InvalidationProcessorConfig config) {
        Objects.requireNonNull(config, "config");
        InvalidationProcessor processor = new InvalidationProcessor(
                RedisCaches.connect(CommonOptions.redisSettings(config).build()));
        try {
            InvalidationSettings settings = config.streamsSettings();
            processor.streams = InvalidationStreams.start(settings, processor.caches.invalidator());
            processor.health = HealthServer.start(config.getString(CommonOptions.HEALTH_HOST),
                    config.getInt(CommonOptions.HEALTH_PORT), processor.streams.healthCheck());
            LOG.info("invalidation processor {} connected: Kafka {} ({} -> Redis {}, mode {}), /health and /ready on "
                            + "port {}", settings.applicationId(), settings.bootstrapServers(),
                    settings.indexChangesTopic(), processor.caches.settings().url().getHost() + ":"
                            + processor.caches.settings().url().getPort(),
                    processor.caches.settings().invalidationMode(), processor.health.port());
            return processor;
        } catch (RuntimeException | Error e) {
            processor.close();
            throw e;
        }
    }

    /** See {@link InvalidationStreams#awaitRunning}. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return streams.awaitRunning(timeout);
    }

    /** Invalidation lag and counts. */
    public InvalidationMetrics metrics() {
        return streams.metrics();
    }

    /** The port /health and /ready are served on. */
    public int healthPort() {
        return health.port();
    }

    @Override
    public void close() {
        // the health endpoint first (stop reporting ready), the processor, then Redis it writes to
        if (health != null) {
            health.close();
        }
        if (streams != null) {
            streams.close();
        }
        caches.close();
    }

    /**
     * Runs an invalidation processor until SIGTERM: {@code [--config FILE]}, then the environment over the file (see
     * {@link InvalidationProcessorConfig}).
     */
    public static void main(String[] args) {
        int status = ProcessMain.run("invalidation processor", () -> start(InvalidationProcessorConfig.load(
                ProcessMain.configFile("invalidation", args), System.getenv())));
        if (status != 0) {
            System.exit(status);
        }
    }
}
