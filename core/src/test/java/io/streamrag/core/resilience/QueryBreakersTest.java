package io.streamrag.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.streamrag.core.embed.EmbeddingException;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.query.HashingEmbedder;
import io.streamrag.core.rerank.RerankException;
import io.streamrag.core.rerank.Reranker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryBreakersTest {
    private static final BreakerSettings TINY = new BreakerSettings(50f, 2, 2, Duration.ofMinutes(10), 1);

    @Test
    void oneNamedBreakerPerDependencyInTheRegistry() {
        QueryBreakers breakers = QueryBreakers.builder()
                .settings(Dependency.RERANKER, TINY)
                .build();
        assertThat(breakers.registry().getAllCircuitBreakers()).extracting(CircuitBreaker::getName)
                .containsExactlyInAnyOrder("embedder", "dense-search", "keyword-search", "reranker", "primary-llm");
        assertThat(breakers.breaker(Dependency.RERANKER).getCircuitBreakerConfig().getSlidingWindowSize()).isEqualTo(2);
        assertThat(breakers.breaker(Dependency.EMBEDDER).getCircuitBreakerConfig().getSlidingWindowSize())
                .isEqualTo(BreakerSettings.DEFAULTS.slidingWindowSize());
        assertThat(QueryBreakers.withDefaults().breaker(Dependency.EMBEDDER))
                .as("breakers are per instance, never shared")
                .isNotSameAs(breakers.breaker(Dependency.EMBEDDER));
    }

    @Test
    void anOpenBreakerRejectsWithTheSpisOwnException() {
        QueryBreakers breakers = QueryBreakers.builder().defaults(TINY).build();
        FaultInjection.FaultyEmbedder faulty = new FaultInjection.FaultyEmbedder(new HashingEmbedder(16));
        Embedder embedder = breakers.embedder(faulty);
        faulty.down.on();
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> embedder.embedQuery("q")).hasMessageContaining("injected fault");
        }
        assertThat(breakers.breaker(Dependency.EMBEDDER).getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThatThrownBy(() -> embedder.embedQuery("q"))
                .isInstanceOf(EmbeddingException.class)
                .hasMessageContaining("circuit breaker 'embedder' is OPEN")
                .hasCauseInstanceOf(CallNotPermittedException.class);
        assertThat(faulty.down.calls()).isEqualTo(2);
        assertThat(embedder.dimension()).as("metadata is not guarded").isEqualTo(16);

        Reranker reranker = breakers.reranker((q, c, k) -> {
            throw new RerankException("down");
        });
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> reranker.rerank("q", List.of(), 1)).hasMessage("down");
        }
        assertThatThrownBy(() -> reranker.rerank("q", List.of(), 1))
                .isInstanceOf(RerankException.class)
                .hasCauseInstanceOf(CallNotPermittedException.class);
    }

    @Test
    void callerMistakesDoNotOpenABreaker() {
        QueryBreakers breakers = QueryBreakers.builder().defaults(TINY).build();
        Reranker reranker = breakers.reranker((q, c, k) -> {
            throw new IllegalArgumentException("topK must be > 0, got 0");
        });
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> reranker.rerank("q", List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(breakers.breaker(Dependency.RERANKER).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> new BreakerSettings(0f, 10, 5, Duration.ofSeconds(1), 1))
                .hasMessage("failureRateThreshold must be in (0, 100], got 0.0");
        assertThatThrownBy(() -> new BreakerSettings(50f, 0, 1, Duration.ofSeconds(1), 1))
                .hasMessage("slidingWindowSize must be > 0, got 0");
        assertThatThrownBy(() -> new BreakerSettings(50f, 10, 11, Duration.ofSeconds(1), 1))
                .hasMessage("minimumNumberOfCalls must be in [1, slidingWindowSize=10], got 11");
        assertThatThrownBy(() -> new BreakerSettings(50f, 10, 5, Duration.ZERO, 1))
                .hasMessage("waitInOpenState must be > 0, got PT0S");
        assertThatThrownBy(() -> new BreakerSettings(50f, 10, 5, Duration.ofSeconds(1), 0))
                .hasMessage("permittedCallsInHalfOpenState must be > 0, got 0");
    }
}
