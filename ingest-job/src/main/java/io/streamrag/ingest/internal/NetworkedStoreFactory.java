package io.streamrag.ingest.internal;

import io.streamrag.core.store.ShardOwnership;
import io.streamrag.core.store.StoreSettings;
import io.streamrag.core.store.VectorStore;
import java.util.Objects;

/**
 * Opens the writer of a networked store ({@link StoreSettings.Kind#ELASTICSEARCH}) with the job's collection
 * settings: its shard counts become the primary shards of the indices it creates, and its model and chunking are
 * recorded in them. Serializable, so that it can travel into an operator. Every writer subtask writes the whole
 * store; the shard routing only keeps each document on one subtask.
 */
public final class NetworkedStoreFactory implements StoreWriterFactory {
    private static final long serialVersionUID = 1L;

    private final StoreSettings store;
    private final ConfiguredCollectionSettings configured;
    private final int dimension;

    /**
     * @param store      where the store is
     * @param configured the job's collection settings
     * @param dimension  the vector dimension of the embedding model
     */
    public NetworkedStoreFactory(StoreSettings store, ConfiguredCollectionSettings configured, int dimension) {
        this.store = Objects.requireNonNull(store, "store");
        this.configured = Objects.requireNonNull(configured, "configured");
        this.dimension = dimension;
    }

    @Override
    public VectorStore open(ShardOwnership ownership) {
        return store.elasticsearchWriter()
                .dimension(dimension)
                .shards(configured.defaultShards())
                .shards(configured.shardOverrides())
                .embeddingModelId(configured.embeddingModelId())
                .chunking(configured.chunkMaxTokens(), configured.chunkOverlapTokens())
                .build();
    }
}
