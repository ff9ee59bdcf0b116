package io.streamrag.core.cache;

/**
 * Makes cache entries unreachable when what they were computed from changes: the core side of the invalidation
 * processor. Each method returns only once the entries are unreachable for every reader of the caches.
 *
 * <p>Implementations must be thread-safe and idempotent in effect (a redelivered change may invalidate again, never
 * less), and must throw rather than return when they could not invalidate, so that the caller retries.
 */
public interface CacheInvalidator {

    /** A document was updated or deleted: the L1, L3 and L4 entries of the collection that may depend on it. */
    void documentChanged(String collection, String docId);

    /** The collection's settings changed: every L1 entry of the collection (and, conservatively, L3 and L4). */
    void collectionChanged(String collection);

    /**
     * The embedding model changed: every L2 entry (old vectors become unreachable) and the collection's L1/L3/L4
     * entries, which were retrieved with the old model's vectors.
     */
    void embeddingModelChanged(String collection);
}
