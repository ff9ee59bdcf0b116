package io.streamrag.core.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * How one circuit breaker decides to open and to close again. Count-based: the breaker looks at the outcome of
 * the last {@code slidingWindowSize} calls and opens when at least {@code minimumNumberOfCalls} were made and the
 * share of failures reaches {@code failureRateThreshold} percent. Open, it rejects calls at once for
 * {@code waitInOpenState}; then it lets {@code permittedCallsInHalfOpenState} trial calls through and closes when
 * their failure rate is below the threshold, or opens again.
 *
 * <p>{@link IllegalArgumentException}s are not counted: they are the caller's mistakes, not the dependency's.
 * Immutable and thread-safe.
 *
 * @param failureRateThreshold          percent of failed calls that opens the breaker, in (0, 100]
 * @param slidingWindowSize             calls the failure rate is computed over, > 0
 * @param minimumNumberOfCalls          calls needed before the rate is computed at all, in [1, slidingWindowSize]
 * @param waitInOpenState               how long an open breaker rejects calls before trying again, > 0
 * @param permittedCallsInHalfOpenState trial calls that decide whether to close, > 0
 */
public record BreakerSettings(float failureRateThreshold, int slidingWindowSize, int minimumNumberOfCalls,
                              Duration waitInOpenState, int permittedCallsInHalfOpenState) {

    /** 50 % failures of the last 20 calls (at least 10) open the breaker for 30 s; 3 trial calls. */
    public static final BreakerSettings DEFAULTS = new BreakerSettings(50f, 20, 10, Duration.ofSeconds(30), 3);

    public BreakerSettings {
        if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
            throw new IllegalArgumentException("failureRateThreshold must be in (0, 100], got " + failureRateThreshold);
        }
        if (slidingWindowSize <= 0) {
            throw new IllegalArgumentException("slidingWindowSize must be > 0, got " + slidingWindowSize);
        }
        if (minimumNumberOfCalls <= 0 || minimumNumberOfCalls > slidingWindowSize) {
            throw new IllegalArgumentException("minimumNumberOfCalls must be in [1, slidingWindowSize="
                    + slidingWindowSize + "], got " + minimumNumberOfCalls);
        }
        Objects.requireNonNull(waitInOpenState, "waitInOpenState");
        if (waitInOpenState.isNegative() || waitInOpenState.isZero()) {
            throw new IllegalArgumentException("waitInOpenState must be > 0, got " + waitInOpenState);
        }
        if (permittedCallsInHalfOpenState <= 0) {
            throw new IllegalArgumentException("permittedCallsInHalfOpenState must be > 0, got "
                    + permittedCallsInHalfOpenState);
        }
    }

    /** The resilience4j configuration these settings stand for. */
    public CircuitBreakerConfig toConfig() {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(slidingWindowSize)
                .minimumNumberOfCalls(minimumNumberOfCalls)
                .failureRateThreshold(failureRateThreshold)
                .waitDurationInOpenState(waitInOpenState)
                .permittedNumberOfCallsInHalfOpenState(permittedCallsInHalfOpenState)
                .ignoreExceptions(IllegalArgumentException.class)
                .build();
    }
}
