package io.streamrag.ingest.internal;

import io.streamrag.core.embed.Embedder;
import java.util.Objects;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Opens the embedders of another factory wrapped in a {@link RetryingEmbedder}; serializable so that it can
 * travel into an operator. Each {@link #get()} opens a new embedder that the caller owns and closes.
 */
public final class RetryingEmbedderFactory implements SerializableSupplier<Embedder> {
    private static final long serialVersionUID = 1L;

    private final SerializableSupplier<Embedder> delegate;
    private final int attempts;
    private final long backoffMs;

    /**
     * @param delegate  opens the embedder to retry
     * @param attempts  tries per call, the first included, > 0
     * @param backoffMs wait before the first retry, doubled for each further one, >= 0
     */
    public RetryingEmbedderFactory(SerializableSupplier<Embedder> delegate, int attempts, long backoffMs) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        // checked here, when the job is defined, not only when a task opens the embedder
        RetryingEmbedder.checkSettings(attempts, backoffMs);
        this.attempts = attempts;
        this.backoffMs = backoffMs;
    }

    @Override
    public Embedder get() {
        return new RetryingEmbedder(delegate.get(), attempts, backoffMs);
    }
}
