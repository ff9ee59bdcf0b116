package io.streamrag.ingest.internal;

import io.streamrag.core.store.IndexedChunk;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.VectorStore;
import io.streamrag.core.store.WriteResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory {@link VectorStore} for operator tests: tracks the chunk ids of each document, what the last
 * commit made visible, how many commits happened, and whether it was closed. Searches are not supported.
 * Single-threaded, like the operator that uses it.
 */
final class RecordingVectorStore implements VectorStore {
    private final Map<String, List<String>> written = new HashMap<>();
    private Map<String, List<String>> committed = Map.of();
    private long epoch;
    private int commits;
    private boolean closed;

    @Override
    public WriteResult replaceDocument(String collection, String docId, List<IndexedChunk> chunks) {
        List<String> added = chunks.stream().map(c -> c.chunk().chunkId()).toList();
        List<String> previous = written.put(collection + "/" + docId, added);
        List<String> removed = previous == null ? List.of()
                : previous.stream().filter(id -> !added.contains(id)).toList();
        return new WriteResult(added, removed);
    }

    @Override
    public WriteResult deleteDocument(String collection, String docId) {
        List<String> previous = written.remove(collection + "/" + docId);
        return new WriteResult(List.of(), previous == null ? List.of() : previous);
    }

    @Override
    public long commit() {
        commits++;
        committed = Map.copyOf(written);
        return ++epoch;
    }

    /** The chunk ids of a document as of the last commit; empty if absent. */
    List<String> committedChunks(String collection, String docId) {
        return committed.getOrDefault(collection + "/" + docId, List.of());
    }

    int commits() {
        return commits;
    }

    boolean closed() {
        return closed;
    }

    @Override
    public List<ScoredChunk> searchDense(float[] queryVector, int k, SearchFilter filter) {
        throw new UnsupportedOperationException("not needed by the operator tests");
    }

    @Override
    public List<ScoredChunk> searchKeyword(String queryText, int k, SearchFilter filter) {
        throw new UnsupportedOperationException("not needed by the operator tests");
    }

    @Override
    public void close() {
        closed = true;
    }
}
