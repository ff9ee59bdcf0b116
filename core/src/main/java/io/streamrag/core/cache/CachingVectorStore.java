package io.streamrag.core.cache;

import io.streamrag.core.cache.internal.EntryCodec;
import io.streamrag.core.cache.internal.Float16;
import io.streamrag.core.cache.internal.Hashing;
import io.streamrag.core.store.ForwardingVectorStore;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.VectorStore;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L3, the retrieval cache: a {@link VectorStore} decorator caching {@link #searchDense} and {@link #searchKeyword}
 * under (collection, epoch, search kind, sha256 of the float16 query vector or of the query text, filters, k).
 *
 * <p>Entries hold the scored chunks themselves (id, document, version, text, metadata, score), not just ids: the
 * {@code VectorStore} SPI has no lookup by id, and a hit must not touch the store. Each entry depends on the
 * documents of its chunks; see {@link RedisCaches} for how it is invalidated. Writes and commits pass through.
 *
 * <p>Thread-safe when the wrapped store is. Does not own it: {@link #close()} does nothing.
 */
public final class CachingVectorStore extends ForwardingVectorStore {
    private static final Logger LOG = LoggerFactory.getLogger(CachingVectorStore.class);

    private final RedisCaches caches;

    CachingVectorStore(RedisCaches caches, VectorStore delegate) {
        super(delegate);
        this.caches = Objects.requireNonNull(caches, "caches");

    }

    @Override
    public List<ScoredChunk> searchDense(float[] queryVector, int k, SearchFilter filter) {
        String query = "dense\0" + Hashing.sha256(Float16.encode(queryVector));
        return cached(query, k, filter, () -> delegate().searchDense(queryVector, k, filter));
    }

    @Override
    public List<ScoredChunk> searchKeyword(String queryText, int k, SearchFilter filter) {
        String query = "keyword\0" + Hashing.sha256(queryText);
        return cached(query, k, filter, () -> delegate().searchKeyword(queryText, k, filter));
    }

    private List<ScoredChunk> cached(String query, int k, SearchFilter filter, Supplier<List<ScoredChunk>> search) {
        String collection = filter.collection();
        CacheTrace trace = caches.tracer().current();
        if (trace != null && trace.isBypassed()) {
            caches.metrics().bypass(CacheLayer.L3);
            return record(search.get(), trace);
        }
        RedisCaches.Snapshot snapshot;
        String key;
        try {
            snapshot = trace == null ? null : trace.snapshotFor(collection);
            if (snapshot == null) {
                snapshot = caches.snapshot(collection);
            }
            key = caches.entryKey(CacheLayer.L3, snapshot, collection, snapshot.epoch(), hash(query, k, filter));
            byte[] cached = caches.getValid(key, collection, Duration.ZERO);
            List<ScoredChunk> hits = cached == null ? null : EntryCodec.decodeChunks(cached);
            if (hits != null) {
                caches.metrics().hit(CacheLayer.L3);
                if (trace != null) {
                    trace.hit(CacheLayer.L3);
                }
                return record(hits, trace);
            }
        } catch (CacheUnavailableException e) {
            LOG.debug("L3 bypassed: {}", e.getMessage());
            caches.metrics().bypass(CacheLayer.L3);
            if (trace != null) {
                trace.bypassed();
            }
            return record(search.get(), trace);
        }
        caches.metrics().miss(CacheLayer.L3);
        List<ScoredChunk> hits = search.get();
        Set<String> docIds = new LinkedHashSet<>();
        hits.forEach(h -> docIds.add(h.chunk().docId()));
        try {
            caches.put(key, snapshot.seq(), docIds, EntryCodec.encodeChunks(hits), caches.settings().ttl(CacheLayer.L3));
        } catch (CacheUnavailableException e) {
            LOG.debug("L3 write skipped: {}", e.getMessage());
        }
        return record(hits, trace);
    }

    private static List<ScoredChunk> record(List<ScoredChunk> hits, CacheTrace trace) {
        if (trace != null) {
            hits.forEach(h -> trace.retrieved(h.chunk().docId()));
        }
        return hits;
    }

    private static String hash(String query, int k, SearchFilter filter) {
        StringBuilder key = new StringBuilder(query).append('\0').append(k);
        for (Map.Entry<String, String> f : new TreeMap<>(filter.metadata()).entrySet()) {
            key.append('\0').append(f.getKey()).append('=').append(f.getValue());
        }
        return Hashing.sha256(key.toString());
    }

    /** Does nothing: the wrapped store belongs to whoever created it. */
    @Override
    public void close() {
        // not the owner of the delegate; see the class comment
    }
}
