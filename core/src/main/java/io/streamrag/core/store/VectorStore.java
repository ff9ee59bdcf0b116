package io.streamrag.core.store;

import java.util.List;
import java.util.Optional;

/**
 * A sharded store of chunks with dense vectors and BM25 text.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #replaceDocument} removes every chunk the store holds for (collection, docId) and writes the
 *       given ones; writing the same chunks twice leaves one copy (writes are idempotent by chunk id).</li>
 *   <li>{@link #deleteDocument} removes every chunk of (collection, docId); deleting an absent document is a
 *       no-op.</li>
 *   <li>Writes become durable and visible to searches of every reader of the same storage only when
 *       {@link #commit()} returns.</li>
 *   <li>Searches only ever return chunks of {@link SearchFilter#collection()} that match the filter's
 *       metadata, best first, at most {@code k}.</li>
 *   <li>A store opened read-only throws {@link UnsupportedOperationException} on writes.</li>
 * </ul>
 * Writes must come from one thread; searches may come from many concurrently.
 */
public interface VectorStore extends AutoCloseable {

    WriteResult replaceDocument(String collection, String docId, List<IndexedChunk> chunks);

    WriteResult deleteDocument(String collection, String docId);

    /**
     * Makes all writes so far durable and visible to readers.
     *
     * @return the commit epoch, increasing with every commit that changed something
     */
    long commit();

    List<ScoredChunk> searchDense(float[] queryVector, int k, SearchFilter filter);

    List<ScoredChunk> searchKeyword(String queryText, int k, SearchFilter filter);

    /**
     * The settings {@code collection} was created with, if this store records them. Implementations that record
     * settings must return them for every existing collection, without creating it; this default, and decorators
     * that do not forward the call, return empty, which callers must read as "unknown", never as "different".
     */
    default Optional<CollectionProfile> recordedSettings(String collection) {
        return Optional.empty();
    }

    @Override
    void close();
}
