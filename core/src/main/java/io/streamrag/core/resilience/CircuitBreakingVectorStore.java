package io.streamrag.core.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.streamrag.core.store.ForwardingVectorStore;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.VectorStore;
import java.util.List;
import java.util.Objects;

/**
 * A {@link VectorStore} whose dense and keyword searches go through separate circuit breakers, so that a broken
 * vector index does not take BM25 down with it (and the other way round). Writes, commits and {@link #close()}
 * go straight to the delegate(). Thread-safe as the delegate is.
 */
final class CircuitBreakingVectorStore extends ForwardingVectorStore {
    private final CircuitBreaker dense;
    private final CircuitBreaker keyword;

    CircuitBreakingVectorStore(VectorStore delegate, CircuitBreaker dense, CircuitBreaker keyword) {
        super(delegate);
        this.dense = Objects.requireNonNull(dense, "dense");
        this.keyword = Objects.requireNonNull(keyword, "keyword");
    }

    @Override
    public List<ScoredChunk> searchDense(float[] queryVector, int k, SearchFilter filter) {
        return dense.executeSupplier(() -> delegate().searchDense(queryVector, k, filter));
    }

    @Override
    public List<ScoredChunk> searchKeyword(String queryText, int k, SearchFilter filter) {
        return keyword.executeSupplier(() -> delegate().searchKeyword(queryText, k, filter));
    }
}
