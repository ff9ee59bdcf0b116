package io.streamrag.core.resilience;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingException;
import io.streamrag.core.embed.ForwardingEmbedder;
import java.util.List;
import java.util.Objects;

/**
 * An {@link Embedder} whose embedding calls go through a circuit breaker; a rejected call throws
 * {@link EmbeddingException} (as the SPI requires) with the {@link CallNotPermittedException} as cause. Metadata
 * calls and {@link #close()} go straight to the delegate(). Thread-safe when the delegate is.
 */
final class CircuitBreakingEmbedder extends ForwardingEmbedder {
    private final CircuitBreaker breaker;

    CircuitBreakingEmbedder(Embedder delegate, CircuitBreaker breaker) {
        super(delegate);
        this.breaker = Objects.requireNonNull(breaker, "breaker");
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) {
        try {
            return breaker.executeSupplier(() -> delegate().embedPassages(texts));
        } catch (CallNotPermittedException e) {
            throw open(e);
        }
    }

    @Override
    public float[] embedQuery(String text) {
        try {
            return breaker.executeSupplier(() -> delegate().embedQuery(text));
        } catch (CallNotPermittedException e) {
            throw open(e);
        }
    }

    private EmbeddingException open(CallNotPermittedException e) {
        return new EmbeddingException("embedder " + delegate().modelId() + " not called: circuit breaker '"
                + breaker.getName() + "' is " + breaker.getState() + " after repeated failures", e);
    }
}
