package io.streamrag.ingest.internal;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingException;
import io.streamrag.core.embed.ForwardingEmbedder;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Embedder} decorator that retries {@link EmbeddingException}s with exponential backoff (a resilience4j
 * {@link Retry}), then throws {@link EmbeddingRetriesExhaustedException} (an {@code EmbeddingException}) carrying
 * the attempt count.
 *
 * <p>Only {@code EmbeddingException} is retried (the embedder's own report of a model or endpoint failure, which
 * may be transient); anything else is a bug and propagates at once. The wait blocks the calling thread: in a
 * Flink task that delays checkpoints by at most the sum of the backoffs, so keep attempts and backoff small.
 * An interrupt during the wait ends it with a {@link CancellationException} (not an {@code EmbeddingException},
 * so a cancelled task does not dead-letter the document) and keeps the interrupt flag.
 *
 * <p>Thread-safe if the delegate is. Owns the delegate: {@link #close()} closes it.
 */
final class RetryingEmbedder extends ForwardingEmbedder {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingEmbedder.class);
    private static final long MAX_BACKOFF_MS = 60_000;

    private final int attempts;
    private final Retry retry;

    /**
     * @param delegate  the embedder to call; owned by this one from now on
     * @param attempts  tries per call, the first included, > 0
     * @param backoffMs wait before the first retry, doubled for each further one (at most a minute), >= 0
     */
    RetryingEmbedder(Embedder delegate, int attempts, long backoffMs) {
        super(delegate);
        checkSettings(attempts, backoffMs);
        this.attempts = attempts;
        this.retry = Retry.of("embed", RetryConfig.custom()
                .maxAttempts(attempts)
                // a function rather than IntervalFunction.ofExponentialBackoff, which refuses a zero backoff
                .intervalFunction(retries -> Math.min(backoffMs << Math.min(retries - 1, 20), MAX_BACKOFF_MS))
                .retryExceptions(EmbeddingException.class)
                .build());
        retry.getEventPublisher().onRetry(event -> LOG.warn("Embedding with {} failed (attempt {} of {}), retrying"
                + " in {} ms: {}", delegate.modelId(), event.getNumberOfRetryAttempts(), attempts,
                event.getWaitInterval().toMillis(), String.valueOf(event.getLastThrowable())));
    }

    /** Rejects attempts &le; 0 and a negative backoff, naming the value. */
    static void checkSettings(int attempts, long backoffMs) {
        if (attempts <= 0) {
            throw new IllegalArgumentException("attempts must be > 0, got " + attempts);
        }
        if (backoffMs < 0) {
            throw new IllegalArgumentException("backoffMs must be >= 0, got " + backoffMs);
        }
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) {
        return withRetries(() -> delegate().embedPassages(texts));
    }

    @Override
    public float[] embedQuery(String text) {
        return withRetries(() -> delegate().embedQuery(text));
    }

    private <T> T withRetries(Supplier<T> call) {
        try {
            return retry.executeSupplier(call);
        } catch (EmbeddingException e) {
            if (Thread.currentThread().isInterrupted()) {
                // Retry ends an interrupted wait by rethrowing the last failure, with the interrupt flag set
                CancellationException cancelled = new CancellationException(
                        "interrupted while waiting to retry embedding");
                cancelled.initCause(e);
                throw cancelled;
            }
            throw new EmbeddingRetriesExhaustedException(attempts, e);
        }
    }
}
