package io.streamrag.core.store;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.lucene.util.StringHelper;

/**
 * Splits the shards of every collection among {@code writers} writers that share one store directory, so that
 * no two of them ever open the same shard (a Lucene shard takes one writer at a time).
 *
 * <p>Shard {@code s} of collection {@code C} belongs to writer {@link #writerOf
 * floorMod(s + murmur3_x86_32(utf8(C), seed 0), writers)}: the shards of one collection go round robin over the
 * writers, starting at a writer that depends on the collection, so that a collection with at least as many shards
 * as there are writers keeps every writer busy and small collections do not all land on writer 0. Together with
 * {@link ShardRouter}, which puts every chunk of a document in one shard, this gives every document exactly one
 * writer. A pipeline that feeds several writers must route each document with {@link #writerOf} (never write
 * the function a second time); a writer refuses documents of shards it does not own.
 *
 * <p>The assignment is not part of the on-disk format: writers may be restarted with another {@code writers}
 * (rescaling), as long as all writers of a directory agree at any one time. Immutable and thread-safe.
 *
 * @param writer  this writer's index, in {@code [0, writers)}
 * @param writers how many writers share the directory, > 0
 */
public record ShardOwnership(int writer, int writers) implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Fixed: writers of one directory must agree on it. */
    private static final int SEED = 0;

    public ShardOwnership {
        if (writers <= 0) {
            throw new IllegalArgumentException("writers must be > 0, got " + writers);
        }
        if (writer < 0 || writer >= writers) {
            throw new IllegalArgumentException("writer must be in [0, " + writers + "), got " + writer);
        }
    }

    /** The single writer of a directory: owns every shard. */
    public static ShardOwnership all() {
        return new ShardOwnership(0, 1);
    }

    /** Whether this is the only writer, owning every shard. */
    public boolean ownsAll() {
        return writers == 1;
    }

    /** Whether this writer owns shard {@code shard} of {@code collection}. */
    public boolean owns(String collection, int shard) {
        return writerOf(collection, shard, writers) == writer;
    }

    /**
     * The writer, in {@code [0, writers)}, that owns shard {@code shard} of {@code collection}.
     *
     * @throws IllegalArgumentException when {@code shard < 0} or {@code writers <= 0}
     */
    public static int writerOf(String collection, int shard, int writers) {
        Objects.requireNonNull(collection, "collection");
        if (shard < 0) {
            throw new IllegalArgumentException("shard must be >= 0, got " + shard);
        }
        if (writers <= 0) {
            throw new IllegalArgumentException("writers must be > 0, got " + writers);
        }
        byte[] name = collection.getBytes(StandardCharsets.UTF_8);
        int offset = StringHelper.murmurhash3_x86_32(name, 0, name.length, SEED);
        // long arithmetic: shard + offset must not overflow into a negative sum that floorMod would treat differently
        return (int) Math.floorMod((long) shard + offset, (long) writers);
    }

    /** A name for files and log lines, e.g. {@code writer 1 of 2}. */
    @Override
    public String toString() {
        return "writer " + writer + " of " + writers;
    }
}
