package io.streamrag.ingest.internal;

import java.util.Comparator;
import java.util.Objects;

/**
 * The shard a document lives in: what the store writers are partitioned by (see {@link ShardKeySelector} and
 * {@link ShardOwnerPartitioner}). Comparable, so that Flink accepts it as a key.
 *
 * @param collection the collection
 * @param shard      the shard of the document in it, >= 0
 */
public record ShardKey(String collection, int shard) implements Comparable<ShardKey> {
    private static final Comparator<ShardKey> ORDER =
            Comparator.comparing(ShardKey::collection).thenComparingInt(ShardKey::shard);

    public ShardKey {
        Objects.requireNonNull(collection, "collection");
        if (shard < 0) {
            throw new IllegalArgumentException("shard must be >= 0, got " + shard);
        }
    }

    @Override
    public int compareTo(ShardKey other) {
        return ORDER.compare(this, other);
    }
}
