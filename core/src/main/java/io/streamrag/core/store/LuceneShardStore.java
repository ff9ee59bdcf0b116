package io.streamrag.core.store;

import io.streamrag.core.CollectionNames;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.store.internal.ChunkDocuments;
import io.streamrag.core.store.internal.CollectionSettings;
import io.streamrag.core.store.internal.CommitEpochs;
import io.streamrag.core.store.internal.KeywordQueries;
import io.streamrag.core.store.internal.LuceneShard;
import io.streamrag.core.store.internal.ShardedCollection;
import io.streamrag.core.store.internal.StoredChunkCache;
import io.streamrag.core.store.internal.UnitVectors;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.search.similarities.Similarity;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.IOUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link VectorStore}: Lucene indexes on local disk holding HNSW vectors and BM25 text side by side,
 * {@code shardsPerCollection} indexes per collection.
 *
 * <p>Layout under {@code dataDir}: {@code <collection>/shard-<i>/} (one Lucene index per shard),
 * {@code <collection>/collection.properties} (shard count, dimension and, when the writer was given them, the
 * embedding model id and chunking; recorded when a writer creates the collection and used from then on by every
 * reader and writer, see {@link #recordedSettings}), {@code _commit-epoch} (the last commit epoch) and
 * {@code _writer.lock}. A document's chunks all live in shard {@link ShardRouter#shardFor(String)}.
 *
 * <p>Modes. A writer (the default) holds one {@code IndexWriter} per shard and an exclusive lock on
 * {@code dataDir}, so at most one writer per directory exists across processes. Several writers may share a
 * directory when each is built with its {@link Builder#ownership(ShardOwnership) share of the shards}: each then
 * holds {@code IndexWriter}s only for the shards it owns (Lucene's {@code write.lock} in each shard directory
 * keeps it that way), reads the other shards like a read-only store, refuses documents of shards it does not own,
 * and locks and records its epoch in files named after its share ({@code _writer-1-of-2.lock},
 * {@code _commit-epoch-1-of-2}). Whichever writer first opens a new collection creates it, once, under a lock
 * in the collection directory (see {@code ShardedCollection#openWriter}). A read-only store takes no lock,
 * may live in another process, discovers collections created after it opened, and refreshes to the latest commit
 * before every search. In both modes searches read commit points only: writes are invisible until
 * {@link #commit()} returns, then visible to every store over the directory. A commit spans shards one after the
 * other, so a reader that refreshes <em>while</em> a commit runs may see some shards of it early.
 *
 * <p>Ranking: BM25 ({@code k1=0.9, b=0.4}) over title + text analysed with {@link EnglishAnalyzer}; dense search is
 * HNSW with dot product on vectors the store L2-normalises (cosine ranking). A search runs over all shards of the
 * collection as one {@link MultiReader}, so BM25 statistics are global and the top k is exact across shards.
 *
 * <p>Settings. A writer creates a collection with {@link Builder#shardsPerCollection(Map) its shard count for
 * that collection} (or the default) and the recorded model and chunking of its builder. When it opens an existing
 * collection whose recorded settings differ from its own, the recorded ones win and it logs a WARN: stored
 * documents are never re-routed, so changing the shard count takes a replay into a new collection. Deciding
 * whether vectors of another embedding model may be written is the caller's business (see
 * {@link #recordedSettings}); the store refuses only vectors of the wrong dimension.
 *
 * <p>Thread-safety: as {@link VectorStore} says, writes and {@link #commit()} from one thread, searches from many.
 * {@link #close()} must not overlap other calls; it discards uncommitted writes.
 */
public final class LuceneShardStore implements VectorStore {
    public static final int DEFAULT_SHARDS_PER_COLLECTION = 2;
    /** Default bound of the decoded-chunk cache, see {@link Builder#chunkCacheBytes}. */
    public static final long DEFAULT_CHUNK_CACHE_BYTES = 64L * 1024 * 1024;
    static final String WRITER_LOCK = "_writer.lock";
    private static final Logger LOG = LoggerFactory.getLogger(LuceneShardStore.class);

    private final Path dataDir;
    private final int shardsPerCollection;
    private final Map<String, Integer> shardOverrides;
    private final int dimension;
    private final Optional<String> embeddingModelId;
    private final Optional<CollectionProfile.Chunking> chunking;
    private final boolean readOnly;
    private final ShardOwnership ownership;
    private final Analyzer analyzer = new EnglishAnalyzer();
    private final Similarity similarity = new BM25Similarity(0.9f, 0.4f);
    private final ConcurrentMap<String, ShardedCollection> collections = new ConcurrentHashMap<>();
    private final StoredChunkCache chunkCache;
    /** Guards opening collections against {@link #close()}; searches of open collections never take it. */
    private final Object openLock = new Object();
    private final Directory lockDirectory;
    private final Lock writerLock;
    /** The last epoch returned by {@link #commit()}; touched by the single writer thread only. */
    private long epoch;
    private volatile boolean closed;

    private LuceneShardStore(Builder builder) throws IOException {
        this.dataDir = builder.dataDir;
        this.shardsPerCollection = builder.shardsPerCollection;
        this.shardOverrides = Map.copyOf(builder.shardOverrides);
        this.dimension = builder.dimension;
        this.embeddingModelId = Optional.ofNullable(builder.embeddingModelId);
        this.chunking = Optional.ofNullable(builder.chunking);
        this.readOnly = builder.readOnly;
        this.ownership = builder.ownership;
        this.chunkCache = new StoredChunkCache(builder.chunkCacheBytes);
        if (readOnly) {
            this.lockDirectory = null;
            this.writerLock = null;
            return;
        }
        Files.createDirectories(dataDir);
        Directory directory = FSDirectory.open(dataDir);
        try {
            this.writerLock = directory.obtainLock(writerLockName(ownership));
            // the newest epoch of every writer that ever wrote here: a writer that takes over shards of another
            // (after rescaling) announces higher epochs for them than that writer did
            this.epoch = CommitEpochs.readNewest(dataDir);
        } catch (LockObtainFailedException e) {
            IOUtils.closeWhileHandlingException(directory);
            throw new IllegalStateException("another writer holds " + dataDir.resolve(writerLockName(ownership))
                    + "; open this store read-only or stop the other writer", e);
        } catch (IOException | RuntimeException e) {
            IOUtils.closeWhileHandlingException(directory);
            throw e;
        }
        this.lockDirectory = directory;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The lock a writer with {@code ownership} holds on the directory: one per share of the shards. */
    static String writerLockName(ShardOwnership ownership) {
        return ownership.ownsAll() ? WRITER_LOCK
                : "_writer-" + ownership.writer() + "-of-" + ownership.writers() + ".lock";
    }

    /**
     * The settings recorded when {@code collection} was created in the store under {@code dataDir}, or empty when
     * it does not exist (yet); without opening a store. Recorded settings never change, so a caller may cache a
     * present answer (a pipeline routing documents to writers by shard does).
     *
     * @throws IllegalArgumentException when the name is not a valid collection name
     * @throws UncheckedIOException     when the recorded settings cannot be read
     */
    public static Optional<CollectionProfile> readRecordedSettings(Path dataDir, String collection) {
        Objects.requireNonNull(dataDir, "dataDir");
        CollectionNames.requireValid(collection);
        try {
            return CollectionSettings.read(dataDir.resolve(collection)).map(CollectionSettings::profile);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the settings of collection '" + collection + "' in " + dataDir
                    + " failed", e);
        }
    }

    /**
     * Checks that {@code name} is a collection name this store accepts, so that configuration can be validated
     * before a store is opened.
     *
     * @return {@code name}
     * @throws IllegalArgumentException naming the value, when it is not valid
     */
    public static String requireValidCollectionName(String name) {
        return CollectionNames.requireValid(name);
    }

    @Override
    public WriteResult replaceDocument(String collection, String docId, List<IndexedChunk> chunks) {
        requireWritable();
        CollectionNames.requireValid(collection);
        Objects.requireNonNull(docId, "docId");
        Objects.requireNonNull(chunks, "chunks");
        if (chunks.isEmpty()) {
            return deleteDocument(collection, docId);
        }
        ShardedCollection sharded = collection(collection, true).orElseThrow();
        int expectedDimension = sharded.settings().dimension();
        List<Document> docs = new ArrayList<>(chunks.size());
        List<String> ids = new ArrayList<>(chunks.size());
        Set<String> seen = new HashSet<>();
        for (IndexedChunk indexed : chunks) {
            Chunk chunk = indexed.chunk();
            if (!chunk.collection().equals(collection) || !chunk.docId().equals(docId)) {
                throw new IllegalArgumentException("chunk " + chunk.chunkId() + " belongs to " + chunk.collection()
                        + "/" + chunk.docId() + ", not to " + collection + "/" + docId);
            }
            if (!seen.add(chunk.chunkId())) {
                throw new IllegalArgumentException("duplicate chunk id " + chunk.chunkId() + " in one write");
            }
            float[] unit = unitVector(indexed.vector(), expectedDimension, collection, "vector of chunk "
                    + chunk.chunkId());
            docs.add(ChunkDocuments.toDocument(chunk, unit));
            ids.add(chunk.chunkId());
        }
        LuceneShard shard = sharded.writableShardFor(docId);
        try {
            List<String> previous = shard.currentChunkIds(docId);
            shard.replace(docId, docs, ids);
            return new WriteResult(ids, previous.stream().filter(id -> !seen.contains(id)).toList());
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + collection + "/" + docId + " failed", e);
        }
    }

    @Override
    public WriteResult deleteDocument(String collection, String docId) {
        requireWritable();
        CollectionNames.requireValid(collection);
        Objects.requireNonNull(docId, "docId");
        Optional<ShardedCollection> sharded = collection(collection, false);
        if (sharded.isEmpty()) {
            return new WriteResult(List.of(), List.of());
        }
        LuceneShard shard = sharded.get().writableShardFor(docId);
        try {
            List<String> previous = shard.currentChunkIds(docId);
            if (previous.isEmpty()) {
                return new WriteResult(List.of(), List.of());
            }
            shard.delete(docId);
            return new WriteResult(List.of(), previous);
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + collection + "/" + docId + " failed", e);
        }
    }

    /**
     * Commits every shard with uncommitted writes. The new epoch is made durable before the shards commit, so
     * epochs never repeat, even across a crash; a commit with nothing to commit returns the current epoch.
     */
    @Override
    public long commit() {
        requireWritable();
        ensureOpen();
        List<LuceneShard> dirty = collections.values().stream()
                .flatMap(c -> c.shards().stream())
                .filter(LuceneShard::isDirty)
                .toList();
        if (dirty.isEmpty()) {
            return epoch;
        }
        long next = epoch + 1;
        try {
            CommitEpochs.write(dataDir, CommitEpochs.fileName(ownership), next);
            epoch = next;
            for (LuceneShard shard : dirty) {
                shard.commit(next);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("commit " + next + " in " + dataDir + " failed", e);
        }
        return next;
    }

    @Override
    public List<ScoredChunk> searchDense(float[] queryVector, int k, SearchFilter filter) {
        Objects.requireNonNull(queryVector, "queryVector");
        requirePositiveK(k);
        Optional<ShardedCollection> sharded = collectionForSearch(filter);
        if (sharded.isEmpty()) {
            return List.of();
        }
        float[] unit = unitVector(queryVector, sharded.get().settings().dimension(), filter.collection(),
                "query vector");
        return search(sharded.get(), new KnnFloatVectorQuery(ChunkDocuments.VECTOR, unit, k, filterQuery(filter)), k);
    }

    @Override
    public List<ScoredChunk> searchKeyword(String queryText, int k, SearchFilter filter) {
        Objects.requireNonNull(queryText, "queryText");
        requirePositiveK(k);
        Optional<ShardedCollection> sharded = collectionForSearch(filter);
        if (sharded.isEmpty()) {
            return List.of();
        }
        Optional<Query> terms = KeywordQueries.disjunction(analyzer, ChunkDocuments.CONTENT, queryText);
        if (terms.isEmpty()) {
            return List.of();
        }
        Query query = new BooleanQuery.Builder()
                .add(terms.get(), BooleanClause.Occur.MUST)
                .add(filterQuery(filter), BooleanClause.Occur.FILTER)
                .build();
        return search(sharded.get(), query, k);
    }

    /**
     * The settings recorded when {@code collection} was created, or empty when it does not exist (yet). Does not
     * create or open the collection. Works in both modes.
     *
     * @throws IllegalArgumentException when the name is not a valid collection name
     * @throws UncheckedIOException     when the recorded settings cannot be read
     */
    @Override
    public Optional<CollectionProfile> recordedSettings(String collection) {
        CollectionNames.requireValid(collection);
        ensureOpen();
        ShardedCollection open = collections.get(collection);
        if (open != null) {
            return Optional.of(open.settings().profile());
        }
        return readRecordedSettings(dataDir, collection);
    }

    /** The settings this writer gives {@code collection} when it creates it. */
    private CollectionSettings settingsIfNew(String collection) {
        return new CollectionSettings(new CollectionProfile(shardOverrides.getOrDefault(collection,
                shardsPerCollection), dimension, embeddingModelId, chunking));
    }

    /** Logs a WARN for each setting of this writer that the recorded settings of {@code opened} overrule. */
    private void warnAboutOverruledSettings(ShardedCollection opened, CollectionProfile configured) {
        CollectionProfile recorded = opened.settings().profile();
        if (recorded.shards() != configured.shards()) {
            LOG.warn("collection '{}' in {} was created with {} shards; this writer's setting of {} is ignored and "
                    + "no document is re-routed. To change the shard count, replay the documents into a new "
                    + "collection", opened.name(), dataDir, recorded.shards(), configured.shards());
        }
        if (recorded.dimension() != configured.dimension()) {
            LOG.warn("collection '{}' in {} stores vectors of dimension {}; this writer's dimension {} is ignored "
                    + "and vectors of another dimension are refused", opened.name(), dataDir,
                    recorded.dimension(), configured.dimension());
        }
        if (recorded.embeddingModelId().isPresent() && configured.embeddingModelId().isPresent()
                && !recorded.embeddingModelId().equals(configured.embeddingModelId())) {
            LOG.warn("collection '{}' in {} was created with embedding model {}; this writer is configured with {}",
                    opened.name(), dataDir, recorded.embeddingModelId().get(), configured.embeddingModelId().get());
        }
        if (recorded.chunking().isPresent() && configured.chunking().isPresent()
                && !recorded.chunking().equals(configured.chunking())) {
            LOG.warn("collection '{}' in {} records chunking {}; this writer is configured with {}",
                    opened.name(), dataDir, recorded.chunking().get(), configured.chunking().get());
        }
    }

    /** The decoded-chunk cache, for tests. */
    StoredChunkCache chunkCache() {
        return chunkCache;
    }

    /** Scatters {@code query} to every shard of the collection and gathers the global top {@code k}. */
    private List<ScoredChunk> search(ShardedCollection sharded, Query query, int k) {
        List<LuceneShard> shards = sharded.shards();
        IndexSearcher[] acquired = new IndexSearcher[shards.size()];
        try {
            for (LuceneShard shard : shards) {
                if (!shard.isWritable()) {
                    // Another writer (maybe in another process) writes this shard: pick up its latest commit.
                    shard.refresh();
                }
            }
            IndexReader[] readers = new IndexReader[shards.size()];
            for (int i = 0; i < shards.size(); i++) {
                acquired[i] = shards.get(i).acquire();
                readers[i] = acquired[i].getIndexReader();
            }
            // closeSubReaders=false: the MultiReader borrows the shard readers (it takes and drops a reference).
            try (MultiReader all = new MultiReader(readers, false)) {
                IndexSearcher searcher = new IndexSearcher(all);
                searcher.setSimilarity(similarity);
                TopDocs top = searcher.search(query, k);
                List<LeafReaderContext> segments = all.leaves();
                StoredFields[] stored = new StoredFields[segments.size()];
                List<ScoredChunk> hits = new ArrayList<>(top.scoreDocs.length);
                for (ScoreDoc hit : top.scoreDocs) {
                    int i = ReaderUtil.subIndex(hit.doc, segments);
                    LeafReaderContext segment = segments.get(i);
                    if (stored[i] == null) {
                        stored[i] = segment.reader().storedFields();
                    }
                    Chunk chunk = chunkCache.get(segment.reader(), stored[i], hit.doc - segment.docBase,
                            (fields, doc) -> ChunkDocuments.toChunk(fields.document(doc)));
                    hits.add(new ScoredChunk(chunk, hit.score));
                }
                return hits;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("search of collection '" + sharded.name() + "' in " + dataDir
                    + " failed", e);
        } finally {
            releaseAll(shards, acquired);
        }
    }

    private static void releaseAll(List<LuceneShard> shards, IndexSearcher[] acquired) {
        IOException failure = null;
        for (int i = 0; i < acquired.length; i++) {
            if (acquired[i] == null) {
                continue;
            }
            try {
                shards.get(i).release(acquired[i]);
            } catch (IOException e) {
                failure = IOUtils.useOrSuppress(failure, e);
            }
        }
        if (failure != null) {
            throw new UncheckedIOException("releasing shard searchers failed", failure);
        }
    }

    private static Query filterQuery(SearchFilter filter) {
        BooleanQuery.Builder builder = new BooleanQuery.Builder();
        // The collection term is redundant with the per-collection directories, and deliberately so: collections
        // are walls, and every store query names its collection (DESIGN invariant 6).
        builder.add(new TermQuery(new Term(ChunkDocuments.COLLECTION, filter.collection())),
                BooleanClause.Occur.FILTER);
        for (Map.Entry<String, String> e : new TreeMap<>(filter.metadata()).entrySet()) {
            builder.add(new TermQuery(new Term(ChunkDocuments.META_PREFIX + e.getKey(), e.getValue())),
                    BooleanClause.Occur.FILTER);
        }
        return builder.build();
    }

    private Optional<ShardedCollection> collectionForSearch(SearchFilter filter) {
        Objects.requireNonNull(filter, "filter");
        CollectionNames.requireValid(filter.collection());
        return collection(filter.collection(), false);
    }

    /**
     * The open collection {@code name}: opened from disk on first use, created when {@code create} (writers
     * only), or empty when it does not exist (yet).
     */
    private Optional<ShardedCollection> collection(String name, boolean create) {
        ensureOpen();
        ShardedCollection open = collections.get(name);
        if (open != null) {
            return Optional.of(open);
        }
        Path collectionDir = dataDir.resolve(name);
        if (!create && !Files.isRegularFile(collectionDir.resolve(CollectionSettings.FILE_NAME))) {
            return Optional.empty();
        }
        synchronized (openLock) {
            ensureOpen();
            open = collections.get(name);
            if (open != null) {
                return Optional.of(open);
            }
            try {
                CollectionSettings configured = settingsIfNew(name);
                Optional<ShardedCollection> opened = readOnly
                        ? ShardedCollection.openReader(collectionDir, name)
                        : Optional.of(ShardedCollection.openWriter(collectionDir, name, configured, ownership,
                                analyzer, similarity));
                opened.ifPresent(c -> {
                    if (!readOnly) {
                        warnAboutOverruledSettings(c, configured.profile());
                    }
                    collections.put(name, c);
                    LOG.info("opened collection '{}' in {} ({} shards, dimension {}, {})", name, dataDir,
                            c.settings().shards(), c.settings().dimension(), readOnly ? "read-only"
                                    : ownership.ownsAll() ? "writer" : ownership.toString());
                });
                return opened;
            } catch (IOException e) {
                throw new UncheckedIOException("opening collection '" + name + "' in " + dataDir + " failed", e);
            }
        }
    }

    private static float[] unitVector(float[] vector, int expectedDimension, String collection, String what) {
        return UnitVectors.normalise(vector, expectedDimension, collection, what);
    }

    private static void requirePositiveK(int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
    }

    private void requireWritable() {
        if (readOnly) {
            throw new UnsupportedOperationException("store over " + dataDir + " is open read-only");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store over " + dataDir + " is closed");
        }
    }

    /** Closes every shard (discarding uncommitted writes) and releases the writer lock. Idempotent. */
    @Override
    public void close() {
        List<Closeable> toClose = new ArrayList<>();
        synchronized (openLock) {
            if (closed) {
                return;
            }
            closed = true;
            toClose.addAll(collections.values());
            collections.clear();
        }
        toClose.add(analyzer);
        toClose.add(writerLock);
        toClose.add(lockDirectory);
        try {
            IOUtils.close(toClose);
        } catch (IOException e) {
            throw new UncheckedIOException("closing store over " + dataDir + " failed", e);
        }
    }

    /** Builds a {@link LuceneShardStore}; {@code dataDir} and {@code dimension} are required. Not thread-safe. */
    public static final class Builder {
        private Path dataDir;
        private int shardsPerCollection = DEFAULT_SHARDS_PER_COLLECTION;
        private Map<String, Integer> shardOverrides = Map.of();
        private int dimension;
        private String embeddingModelId;
        private CollectionProfile.Chunking chunking;
        private boolean readOnly;
        private ShardOwnership ownership = ShardOwnership.all();
        private long chunkCacheBytes = DEFAULT_CHUNK_CACHE_BYTES;

        private Builder() {
        }

        /** The root directory of all collections (required); a writer creates it when missing. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** Shards of a collection this writer creates (default 2); existing collections keep their own count. */
        public Builder shardsPerCollection(int shardsPerCollection) {
            if (shardsPerCollection <= 0) {
                throw new IllegalArgumentException("shardsPerCollection must be > 0, got " + shardsPerCollection);
            }
            this.shardsPerCollection = shardsPerCollection;
            return this;
        }

        /**
         * Shard counts of particular collections this writer creates, overriding
         * {@link #shardsPerCollection(int)} for them (default none). Like that setting, used only when a
         * collection is created.
         *
         * @throws IllegalArgumentException naming the entry, when a name is not a valid collection name or a
         *                                  count is not > 0
         */
        public Builder shardsPerCollection(Map<String, Integer> overrides) {
            Objects.requireNonNull(overrides, "overrides");
            for (Map.Entry<String, Integer> e : overrides.entrySet()) {
                CollectionNames.requireValid(e.getKey());
                if (e.getValue() == null || e.getValue() <= 0) {
                    throw new IllegalArgumentException("shardsPerCollection of collection '" + e.getKey()
                            + "' must be > 0, got " + e.getValue());
                }
            }
            this.shardOverrides = Map.copyOf(overrides);
            return this;
        }

        /**
         * The embedding model id recorded in collections this writer creates (default none recorded). Recorded
         * only; the store neither embeds nor checks vectors against it.
         */
        public Builder embeddingModelId(String embeddingModelId) {
            Objects.requireNonNull(embeddingModelId, "embeddingModelId");
            if (embeddingModelId.isBlank()) {
                throw new IllegalArgumentException("embeddingModelId must not be blank, got '" + embeddingModelId
                        + "'");
            }
            this.embeddingModelId = embeddingModelId;
            return this;
        }

        /**
         * The chunking recorded in collections this writer creates (default none recorded).
         *
         * @throws IllegalArgumentException when {@code maxTokens <= 0} or {@code overlapTokens} is not in
         *                                  {@code [0, maxTokens)}
         */
        public Builder chunking(int maxTokens, int overlapTokens) {
            this.chunking = new CollectionProfile.Chunking(maxTokens, overlapTokens);
            return this;
        }

        /** Vector dimension of collections this writer creates (required); existing collections keep theirs. */
        public Builder dimension(int dimension) {
            if (dimension <= 0 || dimension > KnnVectorsFormat.DEFAULT_MAX_DIMENSIONS) {
                throw new IllegalArgumentException("dimension must be in [1, "
                        + KnnVectorsFormat.DEFAULT_MAX_DIMENSIONS + "], got " + dimension);
            }
            this.dimension = dimension;
            return this;
        }

        /**
         * Bound, in approximate bytes, of the cache of chunks decoded from stored fields (default
         * {@value #DEFAULT_CHUNK_CACHE_BYTES}; 0 disables it). Searches return chunks, so every candidate of every
         * search is decoded; the cache keeps decoded chunks by segment and document number, which never go stale.
         */
        public Builder chunkCacheBytes(long chunkCacheBytes) {
            if (chunkCacheBytes < 0) {
                throw new IllegalArgumentException("chunkCacheBytes must be >= 0, got " + chunkCacheBytes);
            }
            this.chunkCacheBytes = chunkCacheBytes;
            return this;
        }

        /** Opens without the write lock; writes then throw {@link UnsupportedOperationException} (default false). */
        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /**
         * The shards this writer owns when several writers share the directory (default
         * {@link ShardOwnership#all()}: the only writer). Writes to a shard of another writer throw
         * {@link IllegalStateException}; searches read every shard. Writers only.
         */
        public Builder ownership(ShardOwnership ownership) {
            this.ownership = Objects.requireNonNull(ownership, "ownership");
            return this;
        }

        /**
         * Opens the store.
         *
         * @throws IllegalStateException when a required option is missing or another writer holds the directory
         * @throws UncheckedIOException  when the directory cannot be opened
         */
        public LuceneShardStore build() {
            if (dataDir == null) {
                throw new IllegalStateException("dataDir is required");
            }
            if (dimension == 0) {
                throw new IllegalStateException("dimension is required");
            }
            if (readOnly && !ownership.ownsAll()) {
                throw new IllegalStateException("ownership applies to writers only, got " + ownership
                        + " for a read-only store");
            }
            try {
                return new LuceneShardStore(this);
            } catch (IOException e) {
                throw new UncheckedIOException("opening store over " + dataDir + " failed", e);
            }
        }
    }
}
