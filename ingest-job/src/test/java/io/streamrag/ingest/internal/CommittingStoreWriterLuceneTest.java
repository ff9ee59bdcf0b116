package io.streamrag.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.chunk.ChunkIds;
import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store writer over the real Lucene store: an update replaces exactly the document's previous chunks
 * whether the chunk count grows or shrinks, and re-applying a version (a redelivery after a restore, which
 * the version guard's restored state lets through again) is idempotent by chunk id.
 */
class CommittingStoreWriterLuceneTest {
    private static final int DIMENSION = 2;

    @TempDir
    Path dir;

    private OneInputStreamOperatorTestHarness<IndexedDocument, IndexChange> harness;
    private long checkpoint;

    @BeforeEach
    void open() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new CommittingStoreWriter(
                new LuceneStoreFactory(dir, 2, DIMENSION, false), 60_000, 1_000));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void updatesReplaceExactlyTheOldChunksAndRedeliveriesAreIdempotent() throws Exception {
        IndexChange v1 = apply(upsert(1, 3));
        assertThat(visibleChunkIds()).containsExactlyInAnyOrderElementsOf(ids(1, 3));

        IndexChange v2 = apply(upsert(2, 1)); // shrinks
        assertThat(visibleChunkIds()).containsExactlyElementsOf(ids(2, 1));
        assertThat(v2.getRemovedChunkIds()).containsExactlyInAnyOrderElementsOf(v1.getAddedChunkIds());

        IndexChange v3 = apply(upsert(3, 4)); // grows
        assertThat(visibleChunkIds()).containsExactlyInAnyOrderElementsOf(ids(3, 4));
        assertThat(v3.getRemovedChunkIds()).containsExactlyElementsOf(ids(2, 1));

        IndexChange again = apply(upsert(3, 4)); // the same version once more
        assertThat(visibleChunkIds()).containsExactlyInAnyOrderElementsOf(ids(3, 4)); // one copy of each
        assertThat(again.getAddedChunkIds()).containsExactlyInAnyOrderElementsOf(ids(3, 4));
        assertThat(again.getRemovedChunkIds()).isEmpty();

        IndexChange deleted = apply(new IndexedDocument("docs", "a", 4, DocumentOp.DELETE, List.of(),
                Instant.EPOCH, "test-0@4"));
        assertThat(visibleChunkIds()).isEmpty();
        assertThat(deleted.getRemovedChunkIds()).containsExactlyInAnyOrderElementsOf(ids(3, 4));
    }

    /** Processes one document and a checkpoint barrier (which commits); returns its announcement. */
    private IndexChange apply(IndexedDocument doc) throws Exception {
        int before = harness.extractOutputValues().size();
        harness.processElement(doc, 0);
        harness.prepareSnapshotPreBarrier(++checkpoint);
        List<IndexChange> out = harness.extractOutputValues();
        assertThat(out).hasSize(before + 1);
        return out.get(out.size() - 1);
    }

    /** Every visible chunk id of docs/a, duplicates kept, through a separate read-only store. */
    private List<String> visibleChunkIds() {
        try (LuceneShardStore reader = LuceneShardStore.builder().dataDir(dir).dimension(DIMENSION).readOnly(true)
                .build()) {
            return reader.searchDense(new float[] {1, 0}, 100, SearchFilter.collection("docs")).stream()
                    .map(ScoredChunk::chunk)
                    .filter(c -> c.docId().equals("a"))
                    .map(c -> c.chunkId())
                    .toList();
        }
    }

    private static IndexedDocument upsert(long version, int chunks) {
        List<EmbeddedChunk> embedded = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            embedded.add(new EmbeddedChunk(ChunkIds.of("docs", "a", i, version), i, "t", "chunk " + i + " of v"
                    + version, Map.of(), new float[] {1, i}));
        }
        return new IndexedDocument("docs", "a", version, DocumentOp.UPSERT, embedded, Instant.EPOCH,
                "test-0@" + version);
    }

    private static List<String> ids(long version, int chunks) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            ids.add(ChunkIds.of("docs", "a", i, version));
        }
        return ids;
    }
}
