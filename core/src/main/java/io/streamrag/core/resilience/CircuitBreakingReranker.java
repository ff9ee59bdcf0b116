package io.streamrag.core.resilience;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.streamrag.core.rerank.RerankException;
import io.streamrag.core.rerank.Reranker;
import io.streamrag.core.store.ScoredChunk;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Reranker} behind a circuit breaker; a rejected call throws {@link RerankException} (as the SPI
 * requires) with the {@link CallNotPermittedException} as cause. Thread-safe when the delegate is.
 */
final class CircuitBreakingReranker implements Reranker {
    private final Reranker delegate;
    private final CircuitBreaker breaker;

    CircuitBreakingReranker(Reranker delegate, CircuitBreaker breaker) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.breaker = Objects.requireNonNull(breaker, "breaker");
    }

    @Override
    public List<ScoredChunk> rerank(String query, List<ScoredChunk> candidates, int topK) {
        try {
            return breaker.executeSupplier(() -> delegate.rerank(query, candidates, topK));
        } catch (CallNotPermittedException e) {
            throw new RerankException("reranker not called: circuit breaker '" + breaker.getName() + "' is "
                    + breaker.getState() + " after repeated failures or timeouts", e);
        }
    }

    @Override
    public String toString() {
        return "CircuitBreaking[" + delegate + "]";
    }
}
