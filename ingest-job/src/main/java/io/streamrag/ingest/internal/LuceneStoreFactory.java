package io.streamrag.ingest.internal;

import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.VectorStore;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Opens a {@link LuceneShardStore} on a directory; serializable so that it can travel into an operator and
 * open the store there. Each {@link #get()} opens a new store that the caller owns and closes; at most one
 * writer-mode store may be open per directory at a time.
 */
public final class LuceneStoreFactory implements SerializableSupplier<VectorStore> {
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

    @Override
    public VectorStore get() {
        LuceneShardStore.Builder builder = LuceneShardStore.builder()
                .dataDir(Path.of(dataDir))
                .shardsPerCollection(shardsPerCollection)
                .dimension(dimension)
                .readOnly(readOnly);
        if (configured != null) {
            builder.shardsPerCollection(configured.shardOverrides())
                    .embeddingModelId(configured.embeddingModelId())
                    .chunking(configured.chunkMaxTokens(), configured.chunkOverlapTokens());
        }
        return builder.build();
    }
}
