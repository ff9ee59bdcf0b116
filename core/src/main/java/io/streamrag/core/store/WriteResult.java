package io.streamrag.core.store;

import java.util.List;

/**
 * What one document write changed.
 *
 * @param addedChunkIds   ids written by this call
 * @param removedChunkIds ids of the document's previous chunks that this call removed (ids also in added excluded)
 */
public record WriteResult(List<String> addedChunkIds, List<String> removedChunkIds) {
    public WriteResult {
        addedChunkIds = List.copyOf(addedChunkIds);
        removedChunkIds = List.copyOf(removedChunkIds);
    }
}
