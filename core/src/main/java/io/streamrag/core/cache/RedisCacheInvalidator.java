package io.streamrag.core.cache;

import java.util.List;
import java.util.Objects;

/**
 * The {@link CacheInvalidator} of {@link RedisCaches}: one atomic Redis script per change. A document change stamps
 * the document with a new change sequence (entries that contain it are never served again) and, in
 * {@link InvalidationMode#COLLECTION} mode, also bumps the collection epoch. Settings and model changes bump epochs.
 *
 * <p>Throws {@link CacheUnavailableException} when Redis cannot be reached, so the caller retries; repeating an
 * invalidation only bumps counters again. Thread-safe.
 */
final class RedisCacheInvalidator implements CacheInvalidator {
    private final RedisCaches caches;
    private final InvalidationMode mode;

    RedisCacheInvalidator(RedisCaches caches, InvalidationMode mode) {
        this.caches = Objects.requireNonNull(caches, "caches");
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    @Override
    public void documentChanged(String collection, String docId) {
        caches.documentChanged(collection, docId, mode == InvalidationMode.COLLECTION);
    }

    @Override
    public void collectionChanged(String collection) {
        caches.bump(List.of(caches.epochKey(collection), caches.seqKey(collection)));
    }

    @Override
    public void embeddingModelChanged(String collection) {
        caches.bump(List.of(caches.modelEpochKey(), caches.epochKey(collection), caches.seqKey(collection)));
    }

    @Override
    public String toString() {
        return "RedisCacheInvalidator{mode=" + mode + ", " + caches.settings().redactedUrl() + "}";
    }
}
