package io.streamrag.core.embed;

import java.util.List;
import java.util.Objects;

/**
 * An {@link Embedder} that forwards every call to another one: the base of decorators (caching, circuit breaking,
 * retries, fault injection), which override only the calls they change. Thread-safe when the delegate is.
 */
public abstract class ForwardingEmbedder implements Embedder {
    private final Embedder delegate;

    protected ForwardingEmbedder(Embedder delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The embedder calls are forwarded to. */
    protected final Embedder delegate() {
        return delegate;
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) {
        return delegate.embedPassages(texts);
    }

    @Override
    public float[] embedQuery(String text) {
        return delegate.embedQuery(text);
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public String modelId() {
        return delegate.modelId();
    }

    @Override
    public TokenCounter tokenCounter() {
        return delegate.tokenCounter();
    }

    /** Closes the delegate; a decorator that does not own it overrides this. */
    @Override
    public void close() {
        delegate.close();
    }
}
