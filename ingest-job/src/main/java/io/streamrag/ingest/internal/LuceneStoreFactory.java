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
    private final int dimension;
    private final boolean readOnly;

    /**
     * @param dataDir             the store directory
     * @param shardsPerCollection shards of each new collection
     * @param dimension           the vector dimension of the embedding model
     * @param readOnly            open for searching only (no writer, no lock)
     */
    public LuceneStoreFactory(Path dataDir, int shardsPerCollection, int dimension, boolean readOnly) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toString();
        this.shardsPerCollection = shardsPerCollection;
        this.dimension = dimension;
        this.readOnly = readOnly;
    }

    @Override
    public VectorStore get() {
        return LuceneShardStore.builder()
                .dataDir(Path.of(dataDir))
                .shardsPerCollection(shardsPerCollection)
                .dimension(dimension)
                .readOnly(readOnly)
                .build();
    }
}
