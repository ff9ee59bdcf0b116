package io.streamrag.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.chunk.ChunkIds;
import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.ShardOwnership;
import io.streamrag.core.store.ShardRouter;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing embedded documents to store writers: the key is the store's own shard of the document, the partition is
 * the writer that owns that shard, and writer subtasks sharing a directory accept exactly what is routed to them.
 */
class ShardRoutingTest {
    private static final int DIMENSION = 2;
    private static final ConfiguredCollectionSettings CONFIGURED =
            new ConfiguredCollectionSettings(4, Map.of("small", 1), "model-a", 64, 8);

    @TempDir
    Path dir;

    @Test
    void aNewCollectionIsRoutedByTheStoresRouterOverTheJobsShardCount() throws Exception {
        ShardKeySelector keys = new ShardKeySelector(dir, CONFIGURED);
        for (int i = 0; i < 30; i++) {
            String docId = "doc-" + i;
            assertThat(keys.getKey(upsert("docs", docId, 1)))
                    .isEqualTo(new ShardKey("docs", new ShardRouter(4).shardFor(docId)));
            assertThat(keys.getKey(upsert("small", docId, 1))).isEqualTo(new ShardKey("small", 0));
        }
    }

    @Test
    void anExistingCollectionIsRoutedByItsRecordedShardCount() throws Exception {
        try (LuceneShardStore store = LuceneShardStore.builder().dataDir(dir).dimension(DIMENSION)
                .shardsPerCollection(3).build()) {
            store.replaceDocument("docs", "old", upsert("docs", "old", 1).indexedChunks());
            store.commit();
        }
        ShardKeySelector keys = new ShardKeySelector(dir, CONFIGURED);
        Set<Integer> shards = new java.util.HashSet<>();
        for (int i = 0; i < 30; i++) {
            String docId = "doc-" + i;
            ShardKey key = keys.getKey(upsert("docs", docId, 1));
            assertThat(key.shard()).isEqualTo(new ShardRouter(3).shardFor(docId));
            shards.add(key.shard());
        }
        assertThat(shards).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void thePartitionIsTheWriterThatOwnsTheShard() {
        ShardOwnerPartitioner partitioner = new ShardOwnerPartitioner();
        for (int writers = 1; writers <= 4; writers++) {
            for (int shard = 0; shard < 8; shard++) {
                assertThat(partitioner.partition(new ShardKey("docs", shard), writers))
                        .isEqualTo(ShardOwnership.writerOf("docs", shard, writers));
            }
        }
    }

    @Test
    void twoWriterSubtasksOverOneDirectoryEachAcceptWhatIsRoutedToThem() throws Exception {
        ShardKeySelector keys = new ShardKeySelector(dir, CONFIGURED);
        ShardOwnerPartitioner partitioner = new ShardOwnerPartitioner();
        List<OneInputStreamOperatorTestHarness<IndexedDocument, IndexChange>> writers = List.of(writer(0), writer(1));
        List<List<String>> routed = List.of(new ArrayList<>(), new ArrayList<>());
        try {
            for (var w : writers) {
                w.open();
            }
            for (String collection : List.of("docs", "small", "other")) {
                for (int i = 0; i < 12; i++) {
                    IndexedDocument doc = upsert(collection, "doc-" + i, 1);
                    int writer = partitioner.partition(keys.getKey(doc), 2);
                    writers.get(writer).processElement(doc, 0);
                    routed.get(writer).add(collection + "/" + doc.docId());
                }
            }
            for (var w : writers) {
                w.prepareSnapshotPreBarrier(1);
            }
            assertThat(routed).allSatisfy(docs -> assertThat(docs).isNotEmpty());
            for (int w = 0; w < 2; w++) {
                assertThat(writers.get(w).extractOutputValues())
                        .extracting(c -> c.getCollection() + "/" + c.getDocId())
                        .containsExactlyInAnyOrderElementsOf(routed.get(w));
            }
            try (LuceneShardStore reader = LuceneShardStore.builder().dataDir(dir).dimension(DIMENSION)
                    .readOnly(true).build()) {
                for (String collection : List.of("docs", "small", "other")) {
                    assertThat(reader.searchDense(new float[] {0, 1}, 100, SearchFilter.collection(collection))
                            .stream().map(ScoredChunk::chunk).map(c -> c.docId()).collect(Collectors.toSet()))
                            .hasSize(12);
                }
            }

            // a document sent to the other writer is refused, naming its owner
            IndexedDocument doc = upsert("docs", "doc-0", 2);
            int owner = partitioner.partition(keys.getKey(doc), 2);
            assertThatThrownBy(() -> writers.get(1 - owner).processElement(doc, 0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("belongs to writer " + owner + " of 2");
        } finally {
            for (var w : writers) {
                w.close();
            }
        }
    }

    private OneInputStreamOperatorTestHarness<IndexedDocument, IndexChange> writer(int subtask) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new CommittingStoreWriter(
                new LuceneStoreFactory(dir, CONFIGURED, DIMENSION), 60_000, 1_000, CONFIGURED), 128, 2, subtask);
    }

    private static IndexedDocument upsert(String collection, String docId, long version) {
        return new IndexedDocument(collection, docId, version, DocumentOp.UPSERT, List.of(new EmbeddedChunk(
                ChunkIds.of(collection, docId, 0, version), 0, "t", "text of " + docId, Map.of(),
                new float[] {0, 1})), Instant.EPOCH, "test-0@" + version);
    }
}
