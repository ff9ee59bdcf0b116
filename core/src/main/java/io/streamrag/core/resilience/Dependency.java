package io.streamrag.core.resilience;

/**
 * A dependency of the query path that has its own circuit breaker. The {@link #breakerName()} names the breaker
 * in the {@link QueryBreakers#registry() registry}, and so in exported metrics.
 */
public enum Dependency {
    /** The query embedder ({@link io.streamrag.core.embed.Embedder}). */
    EMBEDDER("embedder"),
    /** Dense kNN search of the vector store. */
    DENSE_SEARCH("dense-search"),
    /** BM25 keyword search of the vector store. */
    KEYWORD_SEARCH("keyword-search"),
    /** The reranker ({@link io.streamrag.core.rerank.Reranker}). */
    RERANKER("reranker"),
    /** The primary answer generator (the LLM); the fallback generator has no breaker. */
    PRIMARY_LLM("primary-llm");

    private final String breakerName;

    Dependency(String breakerName) {
        this.breakerName = breakerName;
    }

    /** The breaker's name: stable, lower-case, used as a metrics tag. */
    public String breakerName() {
        return breakerName;
    }
}
