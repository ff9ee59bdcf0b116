package io.streamrag.core.search;

/** Which retrievers a search uses; evaluation compares them, the degradation ladder falls back between them. */
public enum RetrievalMode {
    /** Dense kNN and BM25, fused with reciprocal rank fusion. */
    HYBRID,
    /** Dense kNN only; needs a query vector. */
    DENSE,
    /** BM25 only; needs no query vector (and so no embedder). */
    KEYWORD
}
