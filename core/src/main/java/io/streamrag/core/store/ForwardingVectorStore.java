package io.streamrag.core.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link VectorStore} that forwards every call to another one: the base of decorators (caching, circuit breaking,
 * fault injection), which override only the calls they change. Thread-safety as the delegate's.
 */
public abstract class ForwardingVectorStore implements VectorStore {
    private final VectorStore delegate;

    protected ForwardingVectorStore(VectorStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The store calls are forwarded to. */
    protected final VectorStore delegate() {
        return delegate;
    }

    @Override
    public WriteResult replaceDocument(String collection, String docId, List<IndexedChunk> chunks) {
        return delegate.replaceDocument(collection, docId, chunks);
    }

    @Override
    public WriteResult deleteDocument(String collection, String docId) {
        return delegate.deleteDocument(collection, docId);
    }

    @Override
    public long commit() {
        return delegate.commit();
    }

    @Override
    public List<ScoredChunk> searchDense(float[] queryVector, int k, SearchFilter filter) {
        return delegate.searchDense(queryVector, k, filter);
    }

    @Override
    public List<ScoredChunk> searchKeyword(String queryText, int k, SearchFilter filter) {
        return delegate.searchKeyword(queryText, k, filter);
    }

    @Override
    public Optional<CollectionProfile> recordedSettings(String collection) {
        return delegate.recordedSettings(collection);
    }

    /** Closes the delegate; a decorator that does not own it overrides this. */
    @Override
    public void close() {
        delegate.close();
    }
}
