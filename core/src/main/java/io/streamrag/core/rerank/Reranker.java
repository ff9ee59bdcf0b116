package io.streamrag.core.rerank;

import io.streamrag.core.store.ScoredChunk;
import java.util.List;

/**
 * Reorders retrieved chunks by relevance to the query.
 *
 * <p>Implementations must return a subset of the given candidates (never new chunks), at most {@code topK}, best
 * first, with their own relevance score; must be thread-safe; and must throw {@link RerankException} rather than
 * return a partial or unordered list when the model or service fails, so that the caller can fall back to the
 * retrieval order (degradation mode {@code no_rerank}).
 */
public interface Reranker {
    List<ScoredChunk> rerank(String query, List<ScoredChunk> candidates, int topK);
}
