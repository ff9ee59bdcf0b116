package io.streamrag.core.cache;

/**
 * How a document change invalidates the response (L1), retrieval (L3) and prefix (L4) caches of its collection.
 * Both modes also record the change per document, so an entry that depends on the document is never served
 * afterwards; they differ in what happens to the entries that do not.
 */
public enum InvalidationMode {
    /**
     * Every change bumps the collection epoch: all L1/L3/L4 entries of the collection become unreachable. No
     * staleness of any kind, including results that a new or updated document would now enter. The default.
     */
    COLLECTION,
    /**
     * Only entries whose results contain a chunk of the changed document become unreachable. Higher hit rates; a
     * cached result may miss a document that became relevant since (it never cites an outdated version).
     */
    PRECISE
}
