package io.streamrag.core.query;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The vectors of the most recently embedded query texts, least recently used evicted first: the engine's way to
 * keep answering repeated questions with dense search while the embedder is down ({@code cache_only}). It is a
 * fallback, not a cache in front of the model: the L2 embedding cache is a separate {@code Embedder} decorator.
 * Keys include the model id, so a model change never serves another model's vector.
 *
 * <p>Thread-safe (one lock; the map is small and operations are O(1)). Vectors are stored and returned as
 * copies, so no caller can change another's vector.
 */
final class RecentQueryEmbeddings {
    private final int capacity;
    private final Map<Key, float[]> entries; // guarded by this

    /** @param capacity the most vectors kept, >= 0 (0 keeps none) */
    RecentQueryEmbeddings(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, float[]> eldest) {
                return size() > RecentQueryEmbeddings.this.capacity;
            }
        };
    }

    synchronized void put(String modelId, String text, float[] vector) {
        if (capacity > 0) {
            entries.put(new Key(modelId, text), vector.clone());
        }
    }

    synchronized Optional<float[]> get(String modelId, String text) {
        float[] vector = entries.get(new Key(modelId, text));
        return vector == null ? Optional.empty() : Optional.of(vector.clone());
    }

    synchronized int size() {
        return entries.size();
    }

    private record Key(String modelId, String text) {
    }
}
