package io.streamrag.core.cache;

/** The cache layers of DESIGN.md; {@link #label()} is what responses list in {@code cacheHits}. */
public enum CacheLayer {
    /** Response: (collection, normalised query, filters, topK) → answer. */
    L1,
    /** Embedding: (model, sha256 of the query text) → float16 vector. */
    L2,
    /** Retrieval: (collection, query-vector or text hash, filters, k) → scored chunks. */
    L3,
    /** Prefix routing: ordered chunk ids → the LLM endpoint that last served that prefix. */
    L4;

    /** Reported in {@code cacheHits} when Redis was unreachable or its breaker open and the caches were skipped. */
    public static final String BYPASSED = "cache_bypassed";

    public String label() {
        return name();
    }
}
