package io.streamrag.core.generate.llm.internal;

import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.Either;
import java.time.Duration;
import java.util.Objects;

/**
 * The wait before the next attempt: what the server asked for in {@code Retry-After} (capped, so that one
 * server cannot park a query thread for minutes), otherwise exponential backoff with jitter. Immutable and
 * thread-safe.
 */
public final class BackoffPolicy implements IntervalBiFunction<String> {
    private static final double MULTIPLIER = 2.0;
    /** ±50%: concurrent queries that failed together do not retry in lockstep. */
    private static final double JITTER = 0.5;

    private final IntervalFunction exponential;
    private final Duration maxRetryAfter;

    public BackoffPolicy(Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {
        this.exponential = IntervalFunction.ofExponentialRandomBackoff(initialBackoff, MULTIPLIER, JITTER,
                maxBackoff);
        this.maxRetryAfter = Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    }

    /** The wait in milliseconds before attempt {@code attempt + 1}, after {@code attempt} (from 1) failed. */
    public long millisAfter(int attempt, Throwable failure) {
        if (failure instanceof CallFailure call && call.retryAfter().isPresent()) {
            Duration asked = call.retryAfter().get();
            return (asked.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : asked).toMillis();
        }
        return exponential.apply(attempt);
    }

    @Override
    public Long apply(Integer attempt, Either<Throwable, String> outcome) {
        return millisAfter(attempt, outcome.isLeft() ? outcome.getLeft() : null);
    }
}
