package io.streamrag.ingest.internal;

import io.streamrag.core.store.CollectionProfile;
import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.ShardRouter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * The {@link ShardKey} of an embedded document: its collection and the shard the store puts it in, by the store's
 * own {@link ShardRouter} over the collection's shard count.
 *
 * <p>The shard count is the one recorded in the store when the collection exists (recorded settings win over the
 * job's, and never change), else the job's ({@link ConfiguredCollectionSettings#shardsFor}), which is what a
 * writer of this job records when it creates the collection. So every subtask computes the same key for a
 * document, and the key names the shard the writer will write. Recorded counts are cached per subtask; an absent
 * collection is looked up again on its next document (a file check) until a writer has created it.
 *
 * <p>Not thread-safe: Flink calls a key selector from its subtask's thread only.
 */
public final class ShardKeySelector implements KeySelector<IndexedDocument, ShardKey> {
    private static final long serialVersionUID = 1L;

    // a String because java.nio.file.Path is not Serializable; null: route by the configured counts only
    private final String indexDir;
    private final ConfiguredCollectionSettings configured;
    private transient Map<String, ShardRouter> recorded;

    /**
     * @param indexDir   the store directory the writers share
     * @param configured the job's collection settings
     */
    public ShardKeySelector(Path indexDir, ConfiguredCollectionSettings configured) {
        this.indexDir = Objects.requireNonNull(indexDir, "indexDir").toString();
        this.configured = Objects.requireNonNull(configured, "configured");
    }

    /**
     * Keys for a networked store, which keeps no shard directories to route to: by the job's configured shard
     * counts only, so that every subtask sends a document to the same writer.
     */
    public static ShardKeySelector byConfiguredShards(ConfiguredCollectionSettings configured) {
        return new ShardKeySelector((String) null, configured);
    }

    private ShardKeySelector(String indexDir, ConfiguredCollectionSettings configured) {
        this.indexDir = indexDir;
        this.configured = Objects.requireNonNull(configured, "configured");
    }

    @Override
    public ShardKey getKey(IndexedDocument doc) {
        return new ShardKey(doc.collection(), routerOf(doc.collection()).shardFor(doc.docId()));
    }

    private ShardRouter routerOf(String collection) {
        if (recorded == null) {
            recorded = new HashMap<>();
        }
        ShardRouter router = recorded.get(collection);
        if (router != null) {
            return router;
        }
        if (indexDir == null) {
            router = new ShardRouter(configured.shardsFor(collection));
            recorded.put(collection, router);
            return router;
        }
        Optional<CollectionProfile> profile = LuceneShardStore.readRecordedSettings(Path.of(indexDir), collection);
        if (profile.isEmpty()) {
            return new ShardRouter(configured.shardsFor(collection));
        }
        router = new ShardRouter(profile.get().shards());
        recorded.put(collection, router);
        return router;
    }
}
