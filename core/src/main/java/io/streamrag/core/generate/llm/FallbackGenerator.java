package io.streamrag.core.generate.llm;

import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.GenerationException;
import io.streamrag.core.generate.Generator;
import io.streamrag.core.store.ScoredChunk;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Generator} that asks a primary generator (the LLM) and, when it fails, a fallback (typically the
 * {@link io.streamrag.core.generate.ExtractiveGenerator}). {@link #generateWithOutcome} says which one answered, so
 * that the query engine can report degradation mode {@code fallback_llm}.
 *
 * <p>By default only a {@link GenerationException} from the primary triggers the fallback; other exceptions are
 * bugs and propagate. Wrappers that fail with their own exceptions (an open circuit breaker's
 * {@code CallNotPermittedException}) can be included with {@link #FallbackGenerator(Generator, Generator,
 * Predicate)}. When the fallback fails too, its exception propagates with the primary's as suppressed.
 *
 * <p>Thread-safe when both generators are; it owns neither.
 */
public final class FallbackGenerator implements Generator {
    private static final Logger LOG = LoggerFactory.getLogger(FallbackGenerator.class);

    private final Generator primary;
    private final Generator fallback;
    private final Predicate<? super RuntimeException> fallBackOn;

    /** Falls back on a {@link GenerationException} from {@code primary}. */
    public FallbackGenerator(Generator primary, Generator fallback) {
        this(primary, fallback, GenerationException.class::isInstance);
    }

    /** Falls back on the primary's exceptions that {@code fallBackOn} accepts. */
    public FallbackGenerator(Generator primary, Generator fallback, Predicate<? super RuntimeException> fallBackOn) {
        this.primary = Objects.requireNonNull(primary, "primary");
        this.fallback = Objects.requireNonNull(fallback, "fallback");
        this.fallBackOn = Objects.requireNonNull(fallBackOn, "fallBackOn");
    }

    /**
     * An answer and who gave it.
     *
     * @param answer         the answer
     * @param primaryFailure why the primary did not answer; empty when it did
     */
    public record Outcome(Answer answer, Optional<RuntimeException> primaryFailure) {
        public Outcome {
            Objects.requireNonNull(answer, "answer");
            Objects.requireNonNull(primaryFailure, "primaryFailure");
        }

        /** Whether the fallback answered (degradation mode {@code fallback_llm}). */
        public boolean usedFallback() {
            return primaryFailure.isPresent();
        }
    }

    @Override
    public Answer generate(String question, List<ScoredChunk> context) {
        return generateWithOutcome(question, context).answer();
    }

    /** The primary's answer, or the fallback's when the primary fails as configured. */
    public Outcome generateWithOutcome(String question, List<ScoredChunk> context) {
        try {
            return new Outcome(primary.generate(question, context), Optional.empty());
        } catch (RuntimeException failure) {
            if (!fallBackOn.test(failure)) {
                throw failure;
            }
            LOG.warn("{} failed, answering with {}: {}", primary, fallback, failure.getMessage());
            try {
                return new Outcome(fallback.generate(question, context), Optional.of(failure));
            } catch (RuntimeException fallbackFailure) {
                fallbackFailure.addSuppressed(failure);
                throw fallbackFailure;
            }
        }
    }

    @Override
    public String toString() {
        return "Fallback[" + primary + " -> " + fallback + "]";
    }
}
