package io.streamrag.core.store;

import java.util.Objects;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.StringHelper;

/**
 * Routes a document to a shard: {@code floorMod(murmur3_x86_32(utf8(docId), seed 0), shards)}.
 *
 * <p>The function is part of the on-disk format: every chunk of a document lives in the shard this returns,
 * and replacing or deleting a document only looks there. Changing the hash, the seed or the shard count of an
 * existing collection would strand old chunks, which is why a collection records its shard count when it is
 * created. Immutable and thread-safe.
 */
public final class ShardRouter {
    /** Fixed forever: changing it re-routes every existing document. */
    private static final int SEED = 0;

    private final int shards;

    public ShardRouter(int shards) {
        if (shards <= 0) {
            throw new IllegalArgumentException("shards must be > 0, got " + shards);
        }
        this.shards = shards;
    }

    public int shards() {
        return shards;
    }

    /** The shard, in {@code [0, shards)}, that holds every chunk of {@code docId}. */
    public int shardFor(String docId) {
        Objects.requireNonNull(docId, "docId");
        return Math.floorMod(StringHelper.murmurhash3_x86_32(new BytesRef(docId), SEED), shards);
    }
}
