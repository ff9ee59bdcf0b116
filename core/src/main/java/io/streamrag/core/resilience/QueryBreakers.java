package io.streamrag.core.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.generate.Generator;
import io.streamrag.core.rerank.Reranker;
import io.streamrag.core.store.VectorStore;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resilience4j {@link CircuitBreaker} per {@link Dependency} of the query path, kept in a
 * {@link CircuitBreakerRegistry} so that their metrics can be exported, and decorators that put each SPI behind
 * its breaker. A decorated call that the open breaker rejects fails at once with
 * {@link io.github.resilience4j.circuitbreaker.CallNotPermittedException} (wrapped in the SPI's own exception
 * where the SPI has one), which the query engine treats like any other failure of that dependency.
 *
 * <p>Each engine should have its own instance (breaker state is per instance, never static). Thread-safe.
 */
public final class QueryBreakers {
    private static final Logger LOG = LoggerFactory.getLogger(QueryBreakers.class);

    private final CircuitBreakerRegistry registry;
    private final Map<Dependency, CircuitBreaker> breakers = new EnumMap<>(Dependency.class);

    private QueryBreakers(Builder builder) {
        this.registry = CircuitBreakerRegistry.of(builder.defaults.toConfig());
        for (Dependency dependency : Dependency.values()) {
            BreakerSettings settings = builder.overrides.getOrDefault(dependency, builder.defaults);
            CircuitBreaker breaker = registry.circuitBreaker(dependency.breakerName(), settings.toConfig());
            // Transitions are rare and say that a dependency failed or recovered: worth a line in the log.
            breaker.getEventPublisher().onStateTransition(event -> LOG.warn("circuit breaker {}: {}",
                    event.getCircuitBreakerName(), event.getStateTransition()));
            breakers.put(dependency, breaker);
        }
    }

    /** Breakers for every dependency with {@link BreakerSettings#DEFAULTS}. */
    public static QueryBreakers withDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The breaker guarding {@code dependency}. */
    public CircuitBreaker breaker(Dependency dependency) {
        return breakers.get(Objects.requireNonNull(dependency, "dependency"));
    }

    /** The registry holding all breakers, named by {@link Dependency#breakerName()}: for metrics export. */
    public CircuitBreakerRegistry registry() {
        return registry;
    }

    /** {@code embedder} behind the {@link Dependency#EMBEDDER} breaker. */
    public Embedder embedder(Embedder embedder) {
        return new CircuitBreakingEmbedder(embedder, breaker(Dependency.EMBEDDER));
    }

    /**
     * {@code store}'s searches behind the {@link Dependency#DENSE_SEARCH} and {@link Dependency#KEYWORD_SEARCH}
     * breakers; writes, commits and close pass through unguarded (they belong to the ingest path).
     */
    public VectorStore store(VectorStore store) {
        return new CircuitBreakingVectorStore(store, breaker(Dependency.DENSE_SEARCH),
                breaker(Dependency.KEYWORD_SEARCH));
    }

    /** {@code reranker} behind the {@link Dependency#RERANKER} breaker. */
    public Reranker reranker(Reranker reranker) {
        return new CircuitBreakingReranker(reranker, breaker(Dependency.RERANKER));
    }

    /** {@code generator} behind the {@link Dependency#PRIMARY_LLM} breaker. */
    public Generator primaryGenerator(Generator generator) {
        return new CircuitBreakingGenerator(generator, breaker(Dependency.PRIMARY_LLM));
    }

    /** Settings of {@link QueryBreakers}: one default for all breakers, overridable per dependency. Not thread-safe. */
    public static final class Builder {
        private BreakerSettings defaults = BreakerSettings.DEFAULTS;
        private final Map<Dependency, BreakerSettings> overrides = new EnumMap<>(Dependency.class);

        private Builder() {
        }

        /** Settings of every breaker without its own (default {@link BreakerSettings#DEFAULTS}). */
        public Builder defaults(BreakerSettings settings) {
            this.defaults = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Settings of the breaker of {@code dependency} only. */
        public Builder settings(Dependency dependency, BreakerSettings settings) {
            overrides.put(Objects.requireNonNull(dependency, "dependency"),
                    Objects.requireNonNull(settings, "settings"));
            return this;
        }

        public QueryBreakers build() {
            return new QueryBreakers(this);
        }
    }
}
