package io.streamrag.core.store.internal;

import io.streamrag.core.store.ShardOwnership;
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
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.SleepingLockWrapper;
import org.apache.lucene.util.IOUtils;

/**
 * The shards of one collection on disk: {@code <collectionDir>/shard-<i>/} plus the recorded
 * {@link CollectionSettings}. Internal: not part of the public API. Thread-safety as {@link LuceneShard}.
 */
public final class ShardedCollection implements Closeable {
    /** Name of the lock file held while a writer creates the collection. */
    public static final String CREATE_LOCK = "_create.lock";
    private static final long CREATE_LOCK_TIMEOUT_MS = 60_000;
    private static final long CREATE_LOCK_POLL_MS = 10;

    private final String name;
    private final CollectionSettings settings;
    /** The share of the shards this collection's writer may write; null when opened read-only. */
    private final ShardOwnership ownership;
    private final ShardRouter router;
    private final List<LuceneShard> shards;

    private ShardedCollection(String name, CollectionSettings settings, ShardOwnership ownership,
                              List<LuceneShard> shards) {
        this.name = name;
        this.settings = settings;
        this.ownership = ownership;
        this.router = new ShardRouter(settings.shards());
        this.shards = List.copyOf(shards);
    }


    /**
     * Opens the collection for writing the shards {@code ownership} gives this writer (the others are opened
     * read-only and refreshed before searches), creating the collection with {@code settingsIfNew} when it has no
     * recorded settings.
     *
     * <p>Creation is race-free across writers and processes: the creator holds {@value #CREATE_LOCK} in the
     * collection directory, checks again that no settings are recorded, gives every shard (its own and the
     * others') an empty first commit, and only then records the settings. So a reader that finds the settings can
     * open every shard, the settings are written once, and no other writer holds a shard while it is created (a
     * writer opens shards only after it has read the recorded settings).
     */
    public static ShardedCollection openWriter(Path collectionDir, String name, CollectionSettings settingsIfNew,
                                               ShardOwnership ownership, Analyzer analyzer, Similarity similarity)
            throws IOException {
        Optional<CollectionSettings> recorded = CollectionSettings.read(collectionDir);
        CollectionSettings settings = recorded.isPresent() ? recorded.get()
                : createOnce(collectionDir, settingsIfNew, analyzer, similarity);
        List<LuceneShard> opened = new ArrayList<>(settings.shards());
        try {
            for (int i = 0; i < settings.shards(); i++) {
                Path dir = shardDir(collectionDir, i);
                if (ownership.owns(name, i)) {
                    opened.add(LuceneShard.openWriter(dir, analyzer, similarity));
                } else {
                    opened.add(LuceneShard.openReader(dir).orElseThrow(() -> damaged(name, settings, dir)));
                }
            }
        } catch (IOException | RuntimeException e) {
            IOUtils.closeWhileHandlingException(opened);
            throw e;
        }
        return new ShardedCollection(name, settings, ownership, opened);
    }

    /** Creates the collection unless another writer has; returns the settings recorded either way. */
    private static CollectionSettings createOnce(Path collectionDir, CollectionSettings settingsIfNew,
                                                 Analyzer analyzer, Similarity similarity) throws IOException {
        Files.createDirectories(collectionDir);
        // SleepingLockWrapper retries while another writer (in this JVM or another process) holds the lock
        try (Directory dir = new SleepingLockWrapper(FSDirectory.open(collectionDir), CREATE_LOCK_TIMEOUT_MS,
                CREATE_LOCK_POLL_MS);
             Lock lock = dir.obtainLock(CREATE_LOCK)) {
            Optional<CollectionSettings> recorded = CollectionSettings.read(collectionDir);
            if (recorded.isPresent()) {
                return recorded.get(); // created by another writer while this one waited for the lock
            }
            for (int i = 0; i < settingsIfNew.shards(); i++) {
                LuceneShard.createIfMissing(shardDir(collectionDir, i), analyzer, similarity);
            }
            lock.ensureValid();
            settingsIfNew.write(collectionDir);
            return settingsIfNew;
        }
    }

    private static IllegalStateException damaged(String name, CollectionSettings settings, Path shardDir) {
        // Settings are written after every shard's first commit, so this means a damaged layout.
        return new IllegalStateException("collection '" + name + "' records " + settings.shards()
                + " shards but " + shardDir + " holds no index");
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
                    throw new IOException(damaged(name, settings, shardDir(collectionDir, i)).getMessage());
                }
                opened.add(shard.get());
            }
        } catch (IOException | RuntimeException e) {
            IOUtils.closeWhileHandlingException(opened);
            throw e;
        }
        return Optional.of(new ShardedCollection(name, settings, null, opened));
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

    /**
     * The shard that holds every chunk of {@code docId}, for writing.
     *
     * @throws IllegalStateException when another writer owns that shard: the caller routed the document to the
     *                               wrong writer (see {@link ShardOwnership#writerOf})
     */
    public LuceneShard writableShardFor(String docId) {
        int shard = router.shardFor(docId);
        if (ownership == null || !ownership.owns(name, shard)) {
            throw new IllegalStateException("document '" + docId + "' lives in shard " + shard + " of collection '"
                    + name + "', which " + (ownership == null ? "this read-only store cannot write"
                    : "belongs to writer " + ShardOwnership.writerOf(name, shard, ownership.writers()) + " of "
                    + ownership.writers() + ", not to this " + ownership)
                    + ": route each document to the writer ShardOwnership.writerOf names");
        }
        return shards.get(shard);
    }

    public List<LuceneShard> shards() {
        return shards;
    }

    @Override
    public void close() throws IOException {
        IOUtils.close(shards);
    }
}
