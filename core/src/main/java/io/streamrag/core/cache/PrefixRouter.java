package io.streamrag.core.cache;

import io.streamrag.core.cache.internal.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L4, prefix routing: sends a generation whose context starts with the same chunks as an earlier one to the LLM
 * endpoint that served that earlier one, where the prompt prefix is likely still in its KV cache.
 *
 * <p>Usage by an LLM client: {@code route} before calling an endpoint (order the context canonically first, so
 * that overlapping contexts share prefixes), {@code served} after the endpoint answered. Entries map (collection,
 * the first n chunk ids) → endpoint for every n; {@code route} picks the longest cached prefix. Entries live in
 * Redis with an idle TTL extended on every hit (least recently used prefixes expire first; under memory pressure
 * Redis' volatile-lru eviction does the same) and are invalidated like the other layers when a document in the
 * prefix changes. Without a cached prefix, or while Redis is unavailable, the endpoint is chosen by rendezvous
 * hashing of the first chunk id, which is stable as long as the pool is.
 *
 * <p>A wrong route is never a wrong answer, only a slower one. Thread-safe.
 */
public final class PrefixRouter {
    private static final Logger LOG = LoggerFactory.getLogger(PrefixRouter.class);

    private final RedisCaches caches;
    private final List<String> endpoints;

    /**
     * @param endpoint           where to send the generation
     * @param cachedPrefixLength how many leading chunks the endpoint served before (0: not a cache hit)
     */
    public record Route(String endpoint, int cachedPrefixLength) {
        public boolean hit() {
            return cachedPrefixLength > 0;
        }
    }

    PrefixRouter(RedisCaches caches, List<String> endpoints) {
        this.caches = Objects.requireNonNull(caches, "caches");
        Objects.requireNonNull(endpoints, "endpoints");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints must not be empty");
        }
        this.endpoints = List.copyOf(endpoints);
    }

    /** The endpoint for a context of these chunks, in the order they appear in the prompt. */
    public Route route(String collection, List<String> orderedChunkIds) {
        Objects.requireNonNull(collection, "collection");
        if (orderedChunkIds.isEmpty()) {
            return new Route(endpoints.get(0), 0);
        }
        CacheTrace trace = caches.tracer().current();
        if (trace == null || !trace.isBypassed()) {
            try {
                RedisCaches.Snapshot snapshot = caches.snapshot(collection);
                for (int n = orderedChunkIds.size(); n > 0; n--) {
                    byte[] endpoint = caches.getValid(key(snapshot, collection, orderedChunkIds, n), collection,
                            caches.settings().ttl(CacheLayer.L4));
                    if (endpoint != null) {
                        String name = new String(endpoint, StandardCharsets.UTF_8);
                        if (endpoints.contains(name)) { // a prefix of an endpoint since removed from the pool
                            caches.metrics().hit(CacheLayer.L4);
                            if (trace != null) {
                                trace.hit(CacheLayer.L4);
                            }
                            return new Route(name, n);
                        }
                    }
                }
                caches.metrics().miss(CacheLayer.L4);
            } catch (CacheUnavailableException e) {
                LOG.debug("L4 bypassed: {}", e.getMessage());
                caches.metrics().bypass(CacheLayer.L4);
                if (trace != null) {
                    trace.bypassed();
                }
            }
        }
        return new Route(rendezvous(orderedChunkIds.get(0)), 0);
    }

    /** Records that {@code endpoint} served a context of these chunks (so it holds every prefix of it). */
    public void served(String collection, List<String> orderedChunkIds, String endpoint) {
        Objects.requireNonNull(collection, "collection");
        if (!endpoints.contains(endpoint)) {
            throw new IllegalArgumentException("endpoint is not in the pool: " + endpoint);
        }
        try {
            RedisCaches.Snapshot snapshot = caches.snapshot(collection);
            Set<String> docIds = new LinkedHashSet<>();
            for (int n = 1; n <= orderedChunkIds.size(); n++) {
                docIds.add(docIdOf(collection, orderedChunkIds.get(n - 1)));
                caches.put(key(snapshot, collection, orderedChunkIds, n), snapshot.seq(), docIds,
                        endpoint.getBytes(StandardCharsets.UTF_8), caches.settings().ttl(CacheLayer.L4));
            }
        } catch (CacheUnavailableException e) {
            LOG.debug("L4 write skipped: {}", e.getMessage());
        }
    }

    private String key(RedisCaches.Snapshot snapshot, String collection, List<String> chunkIds, int n) {
        return caches.entryKey(CacheLayer.L4, snapshot, collection, snapshot.epoch(),
                Hashing.sha256(String.join("\0", chunkIds.subList(0, n))));
    }

    /** Chunk ids are {@code collection/docId#ordinal@version}; anything else is its own "document". */
    static String docIdOf(String collection, String chunkId) {
        int hash = chunkId.lastIndexOf('#');
        if (chunkId.startsWith(collection + "/") && hash > collection.length()) {
            return chunkId.substring(collection.length() + 1, hash);
        }
        return chunkId;
    }

    private String rendezvous(String chunkId) {
        String best = endpoints.get(0);
        String bestScore = "";
        for (String endpoint : endpoints) {
            String score = Hashing.sha256(endpoint + "\0" + chunkId);
            if (score.compareTo(bestScore) > 0) {
                best = endpoint;
                bestScore = score;
            }
        }
        return best;
    }
}
