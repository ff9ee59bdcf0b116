package io.streamrag.core.chunk;

import java.util.OptionalLong;

/**
 * The chunk id format {@code collection/docId#ordinal@version}: stable for a document version, so that
 * re-indexing the same version overwrites (idempotent) and a new version or a delete can remove the old ids.
 */
public final class ChunkIds {
    private ChunkIds() {
    }

    public static String of(String collection, String docId, int ordinal, long version) {
        return collection + "/" + docId + "#" + ordinal + "@" + version;
    }

    /** The document version a chunk id names, or empty when {@code chunkId} is not in this format. */
    public static OptionalLong version(String chunkId) {
        int at = chunkId == null ? -1 : chunkId.lastIndexOf('@');
        if (at < 0 || at == chunkId.length() - 1 || chunkId.lastIndexOf('#') > at) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(chunkId.substring(at + 1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
