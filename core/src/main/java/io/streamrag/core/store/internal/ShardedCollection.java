package io.streamrag.core.store.internal;

import io.streamrag.core.store.ShardRouter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.search.similarities.Similarity;
import org.apache.lucene.util.IOUtils;

/**
 * The shards of one collection on disk: {@code <collectionDir>/shard-<i>/} plus the recorded
 * {@link CollectionSettings}. Internal: not part of the public API. Thread-safety as {@link LuceneShard}.
 */
public final class ShardedCollection implements Closeable {
    private final String name;
    private final CollectionSettings settings;
    private final ShardRouter router;
    private final List<LuceneShard> shards;

    private ShardedCollection(String name, CollectionSettings settings, List<LuceneShard> shards) {
        this.name = name;
        this.settings = settings;
        this.router = new ShardRouter(settings.shards());
        this.shards = List.copyOf(shards);
    }

    /**
     * Opens the collection for writing, creating it with {@code settingsIfNew} when it has no recorded settings.
     * The settings file is written last, after every shard has its first commit, so a reader that finds it can
     * open every shard.
     */
    public static ShardedCollection openWriter(Path collectionDir, String name, CollectionSettings settingsIfNew,
                                               Analyzer analyzer, Similarity similarity) throws IOException {
        Optional<CollectionSettings> recorded = CollectionSettings.read(collectionDir);
        CollectionSettings settings = recorded.orElse(settingsIfNew);
        List<LuceneShard> opened = new ArrayList<>(settings.shards());
        try {
            for (int i = 0; i < settings.shards(); i++) {
                opened.add(LuceneShard.openWriter(shardDir(collectionDir, i), analyzer, similarity));
            }
            if (recorded.isEmpty()) {
                settings.write(collectionDir);
            }
        } catch (IOException | RuntimeException e) {
            IOUtils.closeWhileHandlingException(opened);
            throw e;
        }
        return new ShardedCollection(name, settings, opened);
    }

    /** Opens an existing collection read-only, or empty when no writer has finished creating it yet. */
    public static Optional<ShardedCollection> openReader(Path collectionDir, String name) throws IOException {
        if (!Files.isDirectory(collectionDir)) {
            return Optional.empty();
        }
        Optional<CollectionSettings> recorded = CollectionSettings.read(collectionDir);
        if (recorded.isEmpty()) {
            return Optional.empty();
        }
        CollectionSettings settings = recorded.get();
        List<LuceneShard> opened = new ArrayList<>(settings.shards());
        try {
            for (int i = 0; i < settings.shards(); i++) {
                Optional<LuceneShard> shard = LuceneShard.openReader(shardDir(collectionDir, i));
                if (shard.isEmpty()) {
                    // Settings are written after the shards' first commits, so this means a damaged layout.
                    throw new IOException("collection '" + name + "' records " + settings.shards()
                            + " shards but " + shardDir(collectionDir, i) + " holds no index");
                }
                opened.add(shard.get());
            }
        } catch (IOException | RuntimeException e) {
            IOUtils.closeWhileHandlingException(opened);
            throw e;
        }
        return Optional.of(new ShardedCollection(name, settings, opened));
    }

    public static Path shardDir(Path collectionDir, int shard) {
        return collectionDir.resolve("shard-" + shard);
    }

    public String name() {
        return name;
    }

    public CollectionSettings settings() {
        return settings;
    }

    /** The shard that holds every chunk of {@code docId}. */
    public LuceneShard shardFor(String docId) {
        return shards.get(router.shardFor(docId));
    }

    public List<LuceneShard> shards() {
        return shards;
    }

    @Override
    public void close() throws IOException {
        IOUtils.close(shards);
    }
}
