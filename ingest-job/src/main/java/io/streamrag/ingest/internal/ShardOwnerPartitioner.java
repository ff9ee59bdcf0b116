package io.streamrag.ingest.internal;

import io.streamrag.core.store.ShardOwnership;
import org.apache.flink.api.common.functions.Partitioner;

/**
 * Sends each document to the store-writer subtask that owns its shard: subtask {@link ShardOwnership#writerOf}
 * of the writers' parallelism, which is the share {@code CommittingStoreWriter} opens its store with. So a
 * document always reaches the one writer that may write its shard, and its versions reach it in the order they
 * were sent (one channel per pair of subtasks keeps order).
 */
public final class ShardOwnerPartitioner implements Partitioner<ShardKey> {
    private static final long serialVersionUID = 1L;

    @Override
    public int partition(ShardKey key, int numPartitions) {
        return ShardOwnership.writerOf(key.collection(), key.shard(), numPartitions);
    }
}
