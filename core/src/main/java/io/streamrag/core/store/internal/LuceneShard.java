package io.streamrag.core.store.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.similarities.Similarity;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.IOUtils;

/**
 * One shard: one Lucene index in its own directory, with an {@link IndexWriter} in writer mode and, in both
 * modes, a {@link SearcherManager} over the directory's <em>commits</em>. Because searchers are opened from
 * commit points (never near-real-time from the writer), uncommitted writes are invisible to every search, in
 * this process or another. Internal: not part of the public API.
 *
 * <p>Thread-safety: {@link #acquire}/{@link #release}/{@link #refresh} may be called from many threads; the
 * write methods ({@link #currentChunkIds}, {@link #replace}, {@link #delete}, {@link #commit}) from one thread.
 */
public final class LuceneShard implements Closeable {
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    /**
     * Chunk ids of documents written since the last commit (empty list = deleted). The committed searcher does
     * not see those writes, and opening a near-real-time reader per write would flush a tiny segment each time.
     */
    private final Map<String, List<String>> pendingChunkIds = new HashMap<>();
    private boolean dirty;
    /**
     * The newest commit generation the searchers are known to have refreshed to. Lets {@link #refresh} skip the
     * blocking refresh, which serialises every searching thread, when no commit happened since.
     */
    private volatile long refreshedGeneration = -1;

    private LuceneShard(Directory directory, IndexWriter writer, SearcherManager searchers) {
        this.directory = directory;
        this.writer = writer;
        this.searchers = searchers;
    }

    /**
     * Opens (creating if needed) the shard at {@code path} for writing. A new index gets an empty first commit
     * at once so that readers can open it before anything is written.
     */
    public static LuceneShard openWriter(Path path, Analyzer analyzer, Similarity similarity) throws IOException {
        Files.createDirectories(path);
        Directory directory = FSDirectory.open(path);
        IndexWriter writer = null;
        try {
            IndexWriterConfig config = new IndexWriterConfig(analyzer)
                    .setSimilarity(similarity)
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    // Durability and visibility come only from commit(); close() discards uncommitted writes.
                    .setCommitOnClose(false);
            writer = new IndexWriter(directory, config);
            if (!DirectoryReader.indexExists(directory)) {
                writer.commit();
            }
            return new LuceneShard(directory, writer, new SearcherManager(directory, null));
        } catch (IOException | RuntimeException e) {
            IOUtils.closeWhileHandlingException(writer, directory);
            throw e;
        }
    }

    /**
     * Creates an empty index with its first commit at {@code path} unless one exists, and closes it again: lets
     * the creator of a collection make every shard readable without keeping writers on shards it does not own.
     */
    public static void createIfMissing(Path path, Analyzer analyzer, Similarity similarity) throws IOException {
        openWriter(path, analyzer, similarity).close();
    }

    /** Opens the shard at {@code path} read-only, or empty when it has no commit yet. Takes no lock. */
    public static Optional<LuceneShard> openReader(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return Optional.empty();
        }
        Directory directory = FSDirectory.open(path);
        try {
            if (!DirectoryReader.indexExists(directory)) {
                directory.close();
                return Optional.empty();
            }
            return Optional.of(new LuceneShard(directory, null, new SearcherManager(directory, null)));
        } catch (IOException | RuntimeException e) {
            IOUtils.closeWhileHandlingException(directory);
            throw e;
        }
    }

    /** A searcher over the latest commit this shard has refreshed to; pass it back to {@link #release}. */
    public IndexSearcher acquire() throws IOException {
        return searchers.acquire();
    }

    public void release(IndexSearcher searcher) throws IOException {
        searchers.release(searcher);
    }

    /**
     * Makes the next {@link #acquire} see the directory's latest commit. Listing the directory to read the last
     * commit generation takes no lock; only when it is newer than the last refresh does this call the blocking
     * refresh (one thread refreshes, the others wait for it).
     */
    public void refresh() throws IOException {
        long latest = SegmentInfos.getLastCommitGeneration(directory.listAll());
        if (latest >= 0 && latest == refreshedGeneration) {
            return;
        }
        searchers.maybeRefreshBlocking();
        // the refresh saw at least `latest`; recording it (not a newer one) keeps the next check conservative
        refreshedGeneration = latest;
    }

    /** The chunk ids the shard holds for {@code docId}, uncommitted writes included, in ordinal order. */
    public List<String> currentChunkIds(String docId) throws IOException {
        requireWriter();
        List<String> pending = pendingChunkIds.get(docId);
        return pending != null ? pending : committedChunkIds(docId);
    }

    private List<String> committedChunkIds(String docId) throws IOException {
        record Found(int ordinal, String chunkId) {
        }
        List<Found> found = new ArrayList<>();
        Term term = new Term(ChunkDocuments.DOC_ID, docId);
        IndexSearcher searcher = searchers.acquire();
        try {
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                LeafReader reader = leaf.reader();
                PostingsEnum postings = reader.postings(term, PostingsEnum.NONE);
                if (postings == null) {
                    continue;
                }
                Bits live = reader.getLiveDocs();
                StoredFields stored = reader.storedFields();
                for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
                    if (live != null && !live.get(doc)) {
                        continue;
                    }
                    Document d = stored.document(doc, Set.of(ChunkDocuments.CHUNK_ID, ChunkDocuments.ORDINAL));
                    found.add(new Found(d.getField(ChunkDocuments.ORDINAL).numericValue().intValue(),
                            d.get(ChunkDocuments.CHUNK_ID)));
                }
            }
        } finally {
            searchers.release(searcher);
        }
        found.sort(Comparator.comparingInt(Found::ordinal).thenComparing(Found::chunkId));
        return found.stream().map(Found::chunkId).toList();
    }

    /** Atomically replaces every chunk of {@code docId} with {@code docs} (uncommitted until {@link #commit}). */
    public void replace(String docId, List<Document> docs, List<String> chunkIds) throws IOException {
        requireWriter();
        writer.updateDocuments(new Term(ChunkDocuments.DOC_ID, docId), docs);
        pendingChunkIds.put(docId, List.copyOf(chunkIds));
        dirty = true;
    }

    /** Deletes every chunk of {@code docId} (uncommitted until {@link #commit}). */
    public void delete(String docId) throws IOException {
        requireWriter();
        writer.deleteDocuments(new Term(ChunkDocuments.DOC_ID, docId));
        pendingChunkIds.put(docId, List.of());
        dirty = true;
    }

    /** Whether this shard holds an {@link IndexWriter} (false: read-only, refreshed from another writer's commits). */
    public boolean isWritable() {
        return writer != null;
    }

    /** Whether this shard has writes that are not committed yet. */
    public boolean isDirty() {
        return dirty;
    }

    /** Commits the shard's writes, tagging the commit with {@code epoch}, then refreshes its searchers. */
    public void commit(long epoch) throws IOException {
        requireWriter();
        writer.setLiveCommitData(Map.of(CommitEpochs.COMMIT_DATA_KEY, Long.toString(epoch)).entrySet());
        writer.commit();
        pendingChunkIds.clear();
        dirty = false;
        searchers.maybeRefreshBlocking();
    }

    private void requireWriter() {
        if (writer == null) {
            throw new UnsupportedOperationException("shard is open read-only");
        }
    }

    /** Releases the searchers, the writer (discarding uncommitted writes) and the directory. */
    @Override
    public void close() throws IOException {
        IOUtils.close(searchers, writer, directory);
    }
}
