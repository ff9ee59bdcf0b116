package io.streamrag.ingest.internal;

import io.streamrag.core.store.ShardOwnership;
import io.streamrag.core.store.VectorStore;
import java.io.Serializable;

/**
 * Opens the writer-mode store of one store-writer subtask; serializable so that it can travel into the operator.
 * Must return a store that writes only the shards {@code ownership} gives the subtask (a store without shards,
 * such as a remote one, may ignore it); the caller owns the store and closes it.
 */
@FunctionalInterface
public interface StoreWriterFactory extends Serializable {

    /**
     * @param ownership the subtask's share of the shards: writer {@code i} of {@code n} for subtask {@code i} of a
     *                  store writer running with parallelism {@code n}
     */
    VectorStore open(ShardOwnership ownership);
}
