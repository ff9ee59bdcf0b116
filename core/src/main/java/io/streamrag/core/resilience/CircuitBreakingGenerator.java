package io.streamrag.core.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Generator;
import io.streamrag.core.store.ScoredChunk;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Generator} behind a circuit breaker: while the breaker is open, calls fail at once with
 * {@link io.github.resilience4j.circuitbreaker.CallNotPermittedException} instead of waiting for a broken LLM's
 * timeout. Thread-safe when the delegate is.
 */
final class CircuitBreakingGenerator implements Generator {
    private final Generator delegate;
    private final CircuitBreaker breaker;

    CircuitBreakingGenerator(Generator delegate, CircuitBreaker breaker) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.breaker = Objects.requireNonNull(breaker, "breaker");
    }

    @Override
    public Answer generate(String question, List<ScoredChunk> context) {
        return breaker.executeSupplier(() -> delegate.generate(question, context));
    }

    @Override
    public String toString() {
        return "CircuitBreaking[" + delegate + "]";
    }
}
