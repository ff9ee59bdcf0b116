package io.streamrag.core.generate.llm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackoffPolicyTest {
    private final BackoffPolicy policy = new BackoffPolicy(Duration.ofMillis(100), Duration.ofMillis(1000),
            Duration.ofSeconds(5));

    @Test
    void waitsWhatRetryAfterAsks() {
        CallFailure limited = CallFailure.retriable(429, Duration.ofSeconds(2), "HTTP 429");

        assertThat(policy.millisAfter(1, limited)).isEqualTo(2000);
        assertThat(policy.millisAfter(3, limited)).isEqualTo(2000);
    }

    @Test
    void capsRetryAfter() {
        CallFailure limited = CallFailure.retriable(429, Duration.ofMinutes(10), "HTTP 429");

        assertThat(policy.millisAfter(1, limited)).isEqualTo(5000);
    }

    @Test
    void backsOffExponentiallyWithJitterOtherwise() {
        CallFailure unavailable = CallFailure.retriable(503, null, "HTTP 503");

        for (int i = 0; i < 50; i++) {
            assertThat(policy.millisAfter(1, unavailable)).isBetween(50L, 150L);
            assertThat(policy.millisAfter(2, unavailable)).isBetween(100L, 300L);
            assertThat(policy.millisAfter(10, unavailable)).isBetween(500L, 1500L);
        }
    }

    @Test
    void parsesRetryAfterSecondsAndDates() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-29T08:00:00Z"), ZoneOffset.UTC);

        assertThat(RetryAfter.parse(Optional.of("3"), clock)).contains(Duration.ofSeconds(3));
        assertThat(RetryAfter.parse(Optional.of(" 0.5 "), clock)).contains(Duration.ofMillis(500));
        assertThat(RetryAfter.parse(Optional.of("Sun, 29 Nov 2026 08:00:07 GMT"), clock))
                .contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse(Optional.of("Sun, 29 Nov 2026 07:00:00 GMT"), clock)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse(Optional.of("-1"), clock)).isEmpty();
        assertThat(RetryAfter.parse(Optional.of("soon"), clock)).isEmpty();
        assertThat(RetryAfter.parse(Optional.empty(), clock)).isEmpty();
    }
}
