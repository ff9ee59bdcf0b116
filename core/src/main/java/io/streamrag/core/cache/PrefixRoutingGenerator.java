package io.streamrag.core.cache;

import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.ContextOrder;
import io.streamrag.core.generate.Generator;
import io.streamrag.core.store.ScoredChunk;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L4 in use: a {@link Generator} over a pool of LLM endpoints serving the same model, which sends each context to
 * the endpoint its {@link PrefixRouter} names (the one that served the longest prefix of it, where that prefix is
 * likely still in the KV cache) and records which endpoint answered.
 *
 * <p>The context is put in {@link ContextOrder#canonical canonical} order before routing, the order in which the
 * prompt numbers it, so that the routed prefix is the prompt's prefix. An L4 hit is reported in the request's
 * {@code cacheHits} like the other layers' (through its {@link CacheTrace}, when called on the request's thread).
 *
 * <p>Failures: when the routed endpoint throws, the others are tried in {@link PrefixRouter#failoverOrder failover
 * order}, each failover logged at WARN, and whichever answers is recorded as having served the context. When all
 * fail, the last failure is thrown with the earlier ones suppressed: the caller's breaker and fallback generator
 * take over from there. An interrupt ends the call at once. Redis being unavailable only costs the routing (the
 * hash decides); it never fails a generation.
 *
 * <p>Thread-safe when the endpoints' generators are. Owns them: {@link #close()} closes those that are
 * {@link AutoCloseable}.
 */
public final class PrefixRoutingGenerator implements Generator, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrefixRoutingGenerator.class);

    private final PrefixRouter router;
    private final Map<String, Generator> endpoints;

    PrefixRoutingGenerator(RedisCaches caches, Map<String, ? extends Generator> endpoints) {
        Objects.requireNonNull(caches, "caches");
        Objects.requireNonNull(endpoints, "endpoints");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints must not be empty");
        }
        endpoints.forEach((name, generator) -> {
            Objects.requireNonNull(name, "endpoint name");
            Objects.requireNonNull(generator, () -> "generator of endpoint " + name);
        });
        this.endpoints = Collections.unmodifiableMap(new LinkedHashMap<>(endpoints));
        this.router = caches.prefixRouter(List.copyOf(this.endpoints.keySet()));
    }

    @Override
    public Answer generate(String question, List<ScoredChunk> context) {
        Objects.requireNonNull(question, "question");
        List<ScoredChunk> ordered = ContextOrder.canonical(context);
        if (ordered.isEmpty()) {
            return generateFrom(List.copyOf(endpoints.keySet()), question, context).answer();
        }
        // A query's context comes from one collection.
        String collection = ordered.get(0).chunk().collection();
        List<String> chunkIds = ordered.stream().map(c -> c.chunk().chunkId()).toList();
        String routed = router.route(collection, chunkIds).endpoint();
        List<String> order = new ArrayList<>(endpoints.size());
        order.add(routed);
        order.addAll(router.failoverOrder(chunkIds, routed));
        Served served = generateFrom(order, question, context);
        router.served(collection, chunkIds, served.endpoint());
        return served.answer();
    }

    private record Served(String endpoint, Answer answer) {
    }

    /**
     * The answer of the first endpoint of {@code order} that gives one (the context is passed on as given: the
     * endpoints' generators order it themselves).
     */
    private Served generateFrom(List<String> order, String question, List<ScoredChunk> context) {
        List<RuntimeException> failures = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            String endpoint = order.get(i);
            try {
                return new Served(endpoint, endpoints.get(endpoint).generate(question, context));
            } catch (RuntimeException e) {
                failures.add(e);
                if (Thread.currentThread().isInterrupted() || i == order.size() - 1) {
                    break;
                }
                LOG.warn("LLM endpoint {} failed, trying {}: {}", endpoint, order.get(i + 1), e.getMessage());
            }
        }
        RuntimeException last = failures.get(failures.size() - 1);
        failures.stream().filter(f -> f != last).forEach(last::addSuppressed);
        throw last;
    }

    /** Closes every endpoint's generator that is {@link AutoCloseable}, even when one fails to close. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (Map.Entry<String, Generator> endpoint : endpoints.entrySet()) {
            if (endpoint.getValue() instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    RuntimeException closing = new IllegalStateException("closing the generator of LLM endpoint "
                            + endpoint.getKey() + " failed: " + e.getMessage(), e);
                    if (failure == null) {
                        failure = closing;
                    } else {
                        failure.addSuppressed(closing);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "PrefixRoutingGenerator" + endpoints.keySet();
    }
}
