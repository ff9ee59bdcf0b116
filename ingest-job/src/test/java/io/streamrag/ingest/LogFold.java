package io.streamrag.ingest;

import io.streamrag.core.Document;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.TokenChunker;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.embed.OnnxEmbedder;
import io.streamrag.core.store.internal.ChunkDocuments;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentOp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

/**
 * Invariant 1 computed independently of the job: what a document log must leave in the index and on
 * rag.index-changes, and what the Lucene shards on disk actually hold (read without the store's API). Shared by the
 * crash and failover tests.
 */
public final class LogFold {
    private LogFold() {
    }

    /**
     * The {@code docId@version} that the version guard lets through, in log order (a version higher than every
     * earlier one of its document): each must be announced exactly once.
     */
    public static Set<String> announcements(List<DocumentEvent> log) {
        Map<String, Long> highest = new HashMap<>();
        Set<String> announced = new java.util.LinkedHashSet<>();
        for (DocumentEvent e : log) {
            Long h = highest.get(e.getDocId());
            if (h == null || e.getVersion() > h) {
                highest.put(e.getDocId(), e.getVersion());
                announced.add(e.getDocId() + "@" + e.getVersion());
            }
        }
        return announced;
    }

    /**
     * The fold of the log: for each live document the chunk ids of its highest version, chunked as the job does
     * with {@code chunkMaxTokens} and no overlap; nothing for a document whose highest version is a delete.
     */
    public static Map<String, Set<String>> fold(String collection, List<DocumentEvent> log, EmbeddingModel model,
                                                int chunkMaxTokens) {
        Map<String, DocumentEvent> newest = new LinkedHashMap<>();
        for (DocumentEvent e : log) {
            newest.merge(e.getDocId(), e, (a, b) -> b.getVersion() > a.getVersion() ? b : a);
        }
        Map<String, Set<String>> chunks = new TreeMap<>();
        try (OnnxEmbedder tokenizer = OnnxEmbedder.create(model)) {
            TokenChunker chunker = TokenChunker.builder().tokenCounter(tokenizer.tokenCounter())
                    .maxTokens(chunkMaxTokens).overlapTokens(0).build();
            for (DocumentEvent e : newest.values()) {
                if (e.getOp() == DocumentOp.UPSERT) {
                    chunks.put(e.getDocId(), chunker.chunk(new Document(collection, e.getDocId(), e.getVersion(), "",
                                    e.getText(), Map.of())).stream().map(Chunk::chunkId)
                            .collect(Collectors.toCollection(TreeSet::new)));
                }
            }
        }
        return chunks;
    }

    /**
     * Every live chunk id in a collection's committed Lucene shards, by docId.
     *
     * @throws IllegalStateException if a chunk id is stored twice or there are no shards
     */
    public static Map<String, Set<String>> indexedChunkIds(Path collectionDir) throws IOException {
        Map<String, Set<String>> chunks = new TreeMap<>();
        List<Path> shards;
        try (Stream<Path> dirs = Files.list(collectionDir)) {
            shards = dirs.filter(p -> p.getFileName().toString().startsWith("shard-")).toList();
        }
        if (shards.isEmpty()) {
            throw new IllegalStateException("no shard directories in " + collectionDir);
        }
        for (Path shard : shards) {
            try (FSDirectory dir = FSDirectory.open(shard); DirectoryReader reader = DirectoryReader.open(dir)) {
                for (LeafReaderContext leaf : reader.leaves()) {
                    LeafReader r = leaf.reader();
                    Bits live = r.getLiveDocs();
                    StoredFields fields = r.storedFields();
                    for (int doc = 0; doc < r.maxDoc(); doc++) {
                        if (live == null || live.get(doc)) {
                            org.apache.lucene.document.Document stored = fields.document(doc);
                            String docId = stored.get(ChunkDocuments.DOC_ID);
                            String chunkId = stored.get(ChunkDocuments.CHUNK_ID);
                            if (!chunks.computeIfAbsent(docId, k -> new TreeSet<>()).add(chunkId)) {
                                throw new IllegalStateException("chunk " + chunkId + " stored twice in " + shard);
                            }
                        }
                    }
                }
            }
        }
        return chunks;
    }

    /** Chunk ids in {@code a} but not in {@code b}. */
    public static List<String> difference(Map<String, Set<String>> a, Map<String, Set<String>> b) {
        List<String> missing = new ArrayList<>();
        a.forEach((docId, ids) -> ids.stream()
                .filter(id -> !b.getOrDefault(docId, Set.of()).contains(id))
                .forEach(missing::add));
        return missing;
    }
}
