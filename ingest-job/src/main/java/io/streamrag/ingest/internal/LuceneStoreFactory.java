package io.streamrag.ingest.internal;

import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.ShardOwnership;
import io.streamrag.core.store.VectorStore;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Opens a {@link LuceneShardStore} on a directory; serializable so that it can travel into an operator and
 * open the store there. Each {@link #open} opens a new store that the caller owns and closes; writer-mode stores
 * open on one directory at the same time must hold different shares of the shards ({@link ShardOwnership}).
 */
public final class LuceneStoreFactory implements StoreWriterFactory {
    private static final long serialVersionUID = 1L;

    // a String because java.nio.file.Path is not Serializable
    private final String dataDir;
    private final int shardsPerCollection;
    /** What a writer records in the collections it creates; null: only the shard count and dimension. */
    private final ConfiguredCollectionSettings configured;
    private final int dimension;
    private final boolean readOnly;

    /**
     * A store that records only the shard count and dimension of the collections it creates.
     *
     * @param dataDir             the store directory
     * @param shardsPerCollection shards of each new collection
     * @param dimension           the vector dimension of the embedding model
     * @param readOnly            open for searching only (no writer, no lock)
     */
    public LuceneStoreFactory(Path dataDir, int shardsPerCollection, int dimension, boolean readOnly) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toString();
        this.shardsPerCollection = shardsPerCollection;
        this.configured = null;
        this.dimension = dimension;
        this.readOnly = readOnly;
    }

    /**
     * A writer-mode store that creates collections with {@code configured}'s shard counts and records its
     * embedding model and chunking in them.
     *
     * @param dataDir    the store directory
     * @param configured the job's collection settings
     * @param dimension  the vector dimension of the embedding model
     */
    public LuceneStoreFactory(Path dataDir, ConfiguredCollectionSettings configured, int dimension) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toString();
        this.configured = Objects.requireNonNull(configured, "configured");
        this.shardsPerCollection = configured.defaultShards();
        this.dimension = dimension;
        this.readOnly = false;
    }

    /**
     * Opens the store; a writer with {@code ownership}'s share of the shards.
     *
     * @throws IllegalStateException when this factory opens read-only stores and {@code ownership} is not
     *                               {@link ShardOwnership#all()}
     */
    @Override
    public VectorStore open(ShardOwnership ownership) {
        LuceneShardStore.Builder builder = LuceneShardStore.builder()
                .dataDir(Path.of(dataDir))
                .shardsPerCollection(shardsPerCollection)
                .dimension(dimension)
                .readOnly(readOnly)
                .ownership(ownership);
        if (configured != null) {
            builder.shardsPerCollection(configured.shardOverrides())
                    .embeddingModelId(configured.embeddingModelId())
                    .chunking(configured.chunkMaxTokens(), configured.chunkOverlapTokens());
        }
        return builder.build();
    }
}
