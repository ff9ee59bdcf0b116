package io.streamrag.invalidation.internal;

import io.streamrag.core.cache.CacheUnavailableException;
import io.streamrag.invalidation.InvalidationMetrics;
import java.time.Duration;
import org.apache.kafka.streams.errors.StreamsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an invalidation until the caches accept it: retriable failures ({@link CacheUnavailableException}) are
 * retried with doubling backoff up to a time limit, after which the stream thread fails and the record is re-read
 * from the last commit. Other exceptions are bugs and propagate at once. Stateless apart from its settings;
 * thread-safe.
 *
 * <p>Why not a resilience4j {@code Retry}, as the LLM client and the ingest job's embedder use: the limit here is
 * time (keep trying while Redis is down, up to {@code maxRetryTime}, so that an outage of any length costs retries
 * rather than a failed thread), where {@code Retry} limits the number of attempts; and an interrupted wait must end
 * as a {@link StreamsException}, where {@code Retry} rethrows the last {@link CacheUnavailableException}, which
 * reads as "Redis is down".
 */
public final class Retrying {
    private static final Logger LOG = LoggerFactory.getLogger(Retrying.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private final Duration initialBackoff;
    private final Duration maxRetryTime;
    private final InvalidationMetrics metrics;

    public Retrying(Duration initialBackoff, Duration maxRetryTime, InvalidationMetrics metrics) {
        this.initialBackoff = initialBackoff;
        this.maxRetryTime = maxRetryTime;
        this.metrics = metrics;
    }

    /**
     * @param what names the change in logs and errors
     * @throws StreamsException when the caches stayed unreachable for the whole retry time, or when interrupted
     */
    public void run(String what, Runnable invalidation) {
        long deadline = System.nanoTime() + maxRetryTime.toNanos();
        long backoffMs = initialBackoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                invalidation.run();
                if (attempt > 1) {
                    LOG.info("invalidated {} after {} attempts", what, attempt);
                }
                return;
            } catch (CacheUnavailableException e) {
                if (System.nanoTime() >= deadline) {
                    throw new StreamsException("could not invalidate " + what + " for " + maxRetryTime
                            + ": the caches are unreachable (" + e.getMessage() + "); the change will be re-read", e);
                }
                metrics.retry();
                if (attempt == 1) {
                    LOG.warn("cannot invalidate {} yet, retrying until the caches are back: {}", what, e.getMessage());
                }
                sleep(backoffMs, what);
                backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    private static void sleep(long millis, String what) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while retrying the invalidation of " + what, e);
        }
    }
}
