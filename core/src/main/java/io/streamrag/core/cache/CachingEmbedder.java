package io.streamrag.core.cache;

import io.streamrag.core.cache.internal.Float16;
import io.streamrag.core.cache.internal.Hashing;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.ForwardingEmbedder;
import io.streamrag.core.model.VectorMath;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L2, the query embedding cache: an {@link Embedder} decorator caching {@link #embedQuery} under (model id, model
 * epoch, sha256 of the exact text), vectors stored as float16.
 *
 * <p>Misses return the vector rounded through float16 too (and re-normalised), so a query gets bit-identical
 * vectors whether it hit or not: retrieval, and the L3 key derived from the vector, do not depend on cache state.
 * Passages ({@link #embedPassages}) are not cached: each chunk is embedded once per version anyway.
 *
 * <p>Thread-safe when the wrapped embedder is. Does not own it: {@link #close()} does nothing, the wrapped
 * embedder's owner closes it.
 */
public final class CachingEmbedder extends ForwardingEmbedder {
    private static final Logger LOG = LoggerFactory.getLogger(CachingEmbedder.class);

    private final RedisCaches caches;

    CachingEmbedder(RedisCaches caches, Embedder delegate) {
        super(delegate);
        this.caches = Objects.requireNonNull(caches, "caches");
    }

    @Override
    public float[] embedQuery(String text) {
        CacheTrace trace = caches.tracer().current();
        if (trace != null && trace.isBypassed()) {
            caches.metrics().bypass(CacheLayer.L2);
            return rounded(delegate().embedQuery(text));
        }
        String key;
        try {
            RedisCaches.Snapshot snapshot = trace != null && trace.anySnapshot() != null
                    ? trace.anySnapshot() : caches.modelSnapshot();
            key = caches.entryKey(CacheLayer.L2, snapshot, delegate().modelId(), snapshot.modelEpoch(),
                    Hashing.sha256(text));
            byte[] cached = caches.get(key);
            if (cached != null && cached.length == delegate().dimension() * 2) {
                caches.metrics().hit(CacheLayer.L2);
                if (trace != null) {
                    trace.hit(CacheLayer.L2);
                }
                return VectorMath.normalizeInPlace(Float16.decode(cached));
            }
        } catch (CacheUnavailableException e) {
            LOG.debug("L2 bypassed: {}", e.getMessage());
            caches.metrics().bypass(CacheLayer.L2);
            if (trace != null) {
                trace.bypassed();
            }
            return rounded(delegate().embedQuery(text));
        }
        caches.metrics().miss(CacheLayer.L2);
        byte[] encoded = Float16.encode(delegate().embedQuery(text));
        try {
            caches.set(key, encoded, caches.settings().ttl(CacheLayer.L2));
        } catch (CacheUnavailableException e) {
            LOG.debug("L2 write skipped: {}", e.getMessage());
        }
        return VectorMath.normalizeInPlace(Float16.decode(encoded));
    }

    private static float[] rounded(float[] vector) {
        return VectorMath.normalizeInPlace(Float16.decode(Float16.encode(vector)));
    }

    /** Does nothing: the wrapped embedder belongs to whoever created it. */
    @Override
    public void close() {
        // not the owner of the delegate; see the class comment
    }
}
