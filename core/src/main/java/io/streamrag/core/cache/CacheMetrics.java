package io.streamrag.core.cache;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hit, miss and bypass counts per cache layer since the caches were created. Thread-safe: counters are
 * {@link LongAdder}s, so recording never contends on the query path.
 */
public final class CacheMetrics {
    private final Map<CacheLayer, LongAdder> hits = new EnumMap<>(CacheLayer.class);
    private final Map<CacheLayer, LongAdder> misses = new EnumMap<>(CacheLayer.class);
    private final Map<CacheLayer, LongAdder> bypasses = new EnumMap<>(CacheLayer.class);

    CacheMetrics() {
        for (CacheLayer layer : CacheLayer.values()) {
            hits.put(layer, new LongAdder());
            misses.put(layer, new LongAdder());
            bypasses.put(layer, new LongAdder());
        }
    }

    void hit(CacheLayer layer) {
        hits.get(layer).increment();
    }

    void miss(CacheLayer layer) {
        misses.get(layer).increment();
    }

    void bypass(CacheLayer layer) {
        bypasses.get(layer).increment();
    }

    public long hits(CacheLayer layer) {
        return hits.get(layer).sum();
    }

    public long misses(CacheLayer layer) {
        return misses.get(layer).sum();
    }

    /** Lookups skipped because Redis was unavailable. */
    public long bypasses(CacheLayer layer) {
        return bypasses.get(layer).sum();
    }

    /** hits / (hits + misses + bypasses); 0 when there was no lookup. */
    public double hitRatio(CacheLayer layer) {
        long h = hits(layer);
        long total = h + misses(layer) + bypasses(layer);
        return total == 0 ? 0 : (double) h / total;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("CacheMetrics{");
        for (CacheLayer layer : CacheLayer.values()) {
            s.append(String.format("%s hit %.3f (%d/%d/%d) ", layer, hitRatio(layer), hits(layer), misses(layer),
                    bypasses(layer)));
        }
        return s.append("(hit/miss/bypass)}").toString();
    }
}
