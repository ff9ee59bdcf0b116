package io.streamrag.ingest.internal;

import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingException;
import io.streamrag.core.embed.ForwardingEmbedder;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Embedder} decorator that retries {@link EmbeddingException}s with exponential backoff, then throws
 * {@link EmbeddingRetriesExhaustedException} (an {@code EmbeddingException}) carrying the attempt count.
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

    private final int attempts;
    private final long backoffMs;

    /**
     * @param delegate  the embedder to call; owned by this one from now on
     * @param attempts  tries per call, the first included, > 0
     * @param backoffMs wait before the first retry, doubled for each further one, >= 0
     */
    RetryingEmbedder(Embedder delegate, int attempts, long backoffMs) {
        super(delegate);
        checkSettings(attempts, backoffMs);
        this.attempts = attempts;
        this.backoffMs = backoffMs;
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
        return withRetries(() -> delegate().embedPassages(texts), texts.size() + " passage(s)");
    }

    @Override
    public float[] embedQuery(String text) {
        return withRetries(() -> delegate().embedQuery(text), "a query");
    }

    private <T> T withRetries(Supplier<T> call, String what) {
        long wait = backoffMs;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (EmbeddingException e) {
                if (attempt >= attempts) {
                    throw new EmbeddingRetriesExhaustedException(attempt, e);
                }
                LOG.warn("Embedding {} with {} failed (attempt {} of {}), retrying in {} ms: {}", what,
                        delegate().modelId(), attempt, attempts, wait, e.getMessage());
                sleep(wait);
                wait = Math.min(wait * 2, 60_000);
            }
        }
    }

    private static void sleep(long ms) {
        if (ms == 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException cancelled = new CancellationException("interrupted while waiting to retry embedding");
            cancelled.initCause(e);
            throw cancelled;
        }
    }
}
