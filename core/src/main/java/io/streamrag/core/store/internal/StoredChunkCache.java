package io.streamrag.core.store.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.streamrag.core.chunk.Chunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.StoredFields;

/**
 * Chunks already decoded from the stored fields of committed segments, keyed by (segment core, document number).
 *
 * <p>Why: a hybrid search loads the stored fields of every candidate (50 per retriever by default) to return
 * chunks, and decompressing them was the largest single cost of a Lucene search in profiles of the query path,
 * although only a few chunks per question are new. The key cannot go stale: a segment's stored fields never change
 * (an update or delete writes to a new segment and marks the old document deleted, which searches filter out before
 * any chunk is loaded), and a merged-away segment's core key is never seen again, so its entries just age out. No
 * invalidation is needed, unlike the Redis layers.
 *
 * <p>Bounded by an approximate weight in bytes (the UTF-16 size of text and title plus a fixed overhead), evicted
 * by Caffeine's size policy. Thread-safe.
 */
public final class StoredChunkCache {
    /** Per-entry bytes beyond text and title: ids, the record, the key and the cache's own node. */
    private static final int ENTRY_OVERHEAD_BYTES = 256;

    private final Cache<Key, Chunk> chunks;

    private record Key(IndexReader.CacheKey segmentCore, int doc) {
    }

    /** Loads a document's stored fields, possibly throwing {@link IOException}. */
    @FunctionalInterface
    public interface Loader {
        Chunk load(StoredFields storedFields, int doc) throws IOException;
    }

    /** @param maxBytes the approximate bound; 0 disables caching */
    public StoredChunkCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        this.chunks = maxBytes == 0 ? null : Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Key key, Chunk chunk) -> weight(chunk))
                .recordStats()
                .build();
    }

    /**
     * The chunk of document {@code doc} of {@code segment}, from the cache or loaded with {@code loader} from
     * {@code storedFields} (a reader of that segment's stored fields).
     */
    public Chunk get(LeafReader segment, StoredFields storedFields, int doc, Loader loader) throws IOException {
        IndexReader.CacheHelper core = chunks == null ? null : segment.getCoreCacheHelper();
        if (core == null) {
            return loader.load(storedFields, doc);
        }
        try {
            return chunks.get(new Key(core.getKey(), doc), key -> {
                try {
                    return loader.load(storedFields, doc);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Lookups answered from the cache so far. */
    public long hits() {
        return chunks == null ? 0 : chunks.stats().hitCount();
    }

    /** Lookups that had to decode stored fields so far (0 when caching is disabled). */
    public long misses() {
        return chunks == null ? 0 : chunks.stats().missCount();
    }

    private static int weight(Chunk chunk) {
        long bytes = 2L * (chunk.text().length() + chunk.title().length()) + ENTRY_OVERHEAD_BYTES;
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }
}
