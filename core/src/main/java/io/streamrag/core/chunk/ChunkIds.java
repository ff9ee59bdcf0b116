package io.streamrag.core.chunk;

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
}
