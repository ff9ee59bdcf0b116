package io.streamrag.core.cache;

import io.streamrag.core.cache.internal.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L4, prefix routing: sends a generation whose context starts with the same chunks as an earlier one to the LLM
 * endpoint that served that earlier one, where the prompt prefix is likely still in its KV cache.
 *
 * <p>Usage by an LLM client (such as {@link PrefixRoutingGenerator}): {@code route} before calling an endpoint
 * (order the context canonically first, so that overlapping contexts share prefixes), {@code served} after the
 * endpoint answered. Entries map (collection, the first n chunk ids) → endpoint for every n; {@code route} picks the
 * longest cached prefix. Entries live in Redis with an idle TTL extended on every hit (least recently used prefixes
 * expire first; under memory pressure Redis' volatile-lru eviction does the same) and are invalidated like the
 * other layers when a document in the prefix changes. Without a cached prefix, or while Redis is unavailable, the
 * endpoint is chosen by rendezvous hashing of the first chunk id, which is stable as long as the pool is. So the
 * cache changes a route only where the hash would not send the context to the endpoint holding its prefix: after
 * a failover, or when the pool changed.
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

    /**
     * The endpoint for a context of these chunks, in the order they appear in the prompt. Every prefix is looked up
     * in one Redis call, after the counter snapshot unless the request already took one; another call follows only
     * when the longest valid prefix names an endpoint that has left the pool.
     */
    public Route route(String collection, List<String> orderedChunkIds) {
        Objects.requireNonNull(collection, "collection");
        if (orderedChunkIds.isEmpty()) {
            return new Route(endpoints.get(0), 0);
        }
        CacheTrace trace = caches.tracer().current();
        if (trace != null && trace.isBypassed()) {
            caches.metrics().bypass(CacheLayer.L4);
        } else {
            try {
                Route cached = cachedRoute(snapshot(trace, collection), collection, orderedChunkIds);
                if (cached != null) {
                    caches.metrics().hit(CacheLayer.L4);
                    if (trace != null) {
                        trace.hit(CacheLayer.L4);
                    }
                    return cached;
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
        return new Route(rendezvous(orderedChunkIds.get(0)).get(0), 0);
    }

    /** The longest cached prefix whose endpoint is still in the pool, or null. */
    private Route cachedRoute(RedisCaches.Snapshot snapshot, String collection, List<String> orderedChunkIds) {
        List<String> longestFirst = new ArrayList<>(orderedChunkIds.size());
        for (int n = orderedChunkIds.size(); n > 0; n--) {
            longestFirst.add(key(snapshot, collection, orderedChunkIds, n));
        }
        int from = 0;
        while (from < longestFirst.size()) {
            RedisCaches.Found found = caches.firstValid(longestFirst.subList(from, longestFirst.size()), collection,
                    caches.settings().ttl(CacheLayer.L4));
            if (found == null) {
                return null;
            }
            String endpoint = new String(found.value(), StandardCharsets.UTF_8);
            int index = from + found.index();
            if (endpoints.contains(endpoint)) {
                return new Route(endpoint, orderedChunkIds.size() - index);
            }
            from = index + 1; // a prefix of an endpoint since removed from the pool: try the shorter ones
        }
        return null;
    }

    /**
     * Records that {@code endpoint} served a context of these chunks (so it holds every prefix of it), in one Redis
     * call. Does nothing while Redis is unavailable.
     */
    public void served(String collection, List<String> orderedChunkIds, String endpoint) {
        Objects.requireNonNull(collection, "collection");
        if (!endpoints.contains(endpoint)) {
            throw new IllegalArgumentException("endpoint is not in the pool: " + endpoint);
        }
        CacheTrace trace = caches.tracer().current();
        if (orderedChunkIds.isEmpty() || (trace != null && trace.isBypassed())) {
            return;
        }
        try {
            RedisCaches.Snapshot snapshot = snapshot(trace, collection);
            Map<String, List<String>> docIdsByKey = new LinkedHashMap<>();
            Set<String> docIds = new LinkedHashSet<>();
            for (int n = 1; n <= orderedChunkIds.size(); n++) {
                docIds.add(docIdOf(collection, orderedChunkIds.get(n - 1)));
                docIdsByKey.put(key(snapshot, collection, orderedChunkIds, n), List.copyOf(docIds));
            }
            caches.putAll(docIdsByKey, snapshot.seq(), endpoint.getBytes(StandardCharsets.UTF_8),
                    caches.settings().ttl(CacheLayer.L4));
        } catch (CacheUnavailableException e) {
            LOG.debug("L4 write skipped: {}", e.getMessage());
        }
    }

    /**
     * Where to send a context when {@code failed} did not answer: the other endpoints, in rendezvous order of the
     * first chunk id (pool order for an empty context), so that the contexts of a failed endpoint spread over the
     * others instead of all landing on one.
     */
    List<String> failoverOrder(List<String> orderedChunkIds, String failed) {
        List<String> order = orderedChunkIds.isEmpty()
                ? new ArrayList<>(endpoints) : rendezvous(orderedChunkIds.get(0));
        order.remove(failed);
        return order;
    }

    /** The request's snapshot when it took one for this collection (saves a round trip), else a fresh one. */
    private RedisCaches.Snapshot snapshot(CacheTrace trace, String collection) {
        RedisCaches.Snapshot snapshot = trace == null ? null : trace.snapshotFor(collection);
        return snapshot != null ? snapshot : caches.snapshot(collection);
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

    /** The endpoints ranked by rendezvous (highest random weight) hashing of {@code chunkId}, best first. */
    private List<String> rendezvous(String chunkId) {
        Map<String, String> scores = new HashMap<>();
        for (String endpoint : endpoints) {
            scores.put(endpoint, Hashing.sha256(endpoint + "\0" + chunkId));
        }
        List<String> ranked = new ArrayList<>(endpoints);
        ranked.sort(Comparator.comparing(scores::get, Comparator.reverseOrder()));
        return ranked;
    }
}
