package io.streamrag.core.generate.llm.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Parses the HTTP {@code Retry-After} header (RFC 9110 §10.2.3): delay seconds or an HTTP date. */
public final class RetryAfter {
    private RetryAfter() {
    }

    /**
     * The wait the header asks for, never negative; empty when the header is absent or unreadable (a bad header
     * must not turn a retriable failure into a fatal one, so the caller's own backoff applies instead).
     */
    public static Optional<Duration> parse(Optional<String> header, Clock clock) {
        if (header.isEmpty() || header.get().isBlank()) {
            return Optional.empty();
        }
        String value = header.get().strip();
        try {
            // Integer seconds per the RFC; some servers send fractions, which are just as clear.
            double seconds = Double.parseDouble(value);
            if (Double.isNaN(seconds) || seconds < 0) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis((long) Math.min(seconds * 1000, Long.MAX_VALUE / 2.0)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(clock.instant(), at.toInstant());
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }
}
