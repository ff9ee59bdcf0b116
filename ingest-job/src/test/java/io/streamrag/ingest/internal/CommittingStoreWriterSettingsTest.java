package io.streamrag.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.chunk.ChunkIds;
import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.ControlType;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store writer comparing the job's collection settings with the recorded ones: one control event per
 * difference, not again after a restore from a checkpoint, and upserts into a collection of another embedding
 * model refused while its deletes apply.
 */
class CommittingStoreWriterSettingsTest {
    private static final int DIMENSION = 2;
    private static final ConfiguredCollectionSettings CONFIGURED =
            new ConfiguredCollectionSettings(3, Map.of(), "model-a", 64, 8);

    @TempDir
    Path dir;

    @BeforeEach
    void createCollectionsWithOtherSettings() {
        try (LuceneShardStore store = LuceneShardStore.builder().dataDir(dir).dimension(DIMENSION)
                .shardsPerCollection(2).embeddingModelId("model-a").chunking(64, 8).build()) {
            store.replaceDocument("docs", "old", List.of(new EmbeddedChunk(ChunkIds.of("docs", "old", 0, 1), 0,
                    "t", "old", Map.of(), new float[] {1, 0}).toIndexedChunk("docs", "old", 1)));
            store.commit();
        }
        try (LuceneShardStore store = LuceneShardStore.builder().dataDir(dir).dimension(DIMENSION)
                .shardsPerCollection(3).embeddingModelId("model-b").chunking(64, 8).build()) {
            store.replaceDocument("legacy", "old", List.of(new EmbeddedChunk(ChunkIds.of("legacy", "old", 0, 1), 0,
                    "t", "old", Map.of(), new float[] {1, 0}).toIndexedChunk("legacy", "old", 1)));
            store.commit();
        }
    }

    @Test
    void aDifferenceIsPublishedOnceEvenAcrossARestore() throws Exception {
        OperatorSubtaskState checkpoint;
        try (OneInputStreamOperatorTestHarness<IndexedDocument, IndexChange> first = harness()) {
            first.open();
            first.processElement(upsert("docs", "a", 1), 0);
            first.processElement(upsert("docs", "b", 1), 0);
            first.prepareSnapshotPreBarrier(1);
            checkpoint = first.snapshot(1, 0);

            assertThat(controlEvents(first)).singleElement().satisfies(e -> {
                assertThat(e.getCollection()).isEqualTo("docs");
                assertThat(e.getType()).isEqualTo(ControlType.COLLECTION_SETTINGS_CHANGED);
                assertThat(e.getSettings()).containsEntry("shards", "3").containsEntry("previous.shards", "2");
            });
            assertThat(first.extractOutputValues()).hasSize(2);
        }
        try (OneInputStreamOperatorTestHarness<IndexedDocument, IndexChange> restored = harness()) {
            restored.initializeState(checkpoint);
            restored.open();
            restored.processElement(upsert("docs", "c", 1), 0);
            restored.prepareSnapshotPreBarrier(2);

            assertThat(controlEvents(restored)).isEmpty();
            assertThat(restored.extractOutputValues()).extracting(IndexChange::getDocId).containsExactly("c");
        }
    }

    @Test
    void upsertsIntoACollectionOfAnotherModelAreRefusedAndDeletesApply() throws Exception {
        try (OneInputStreamOperatorTestHarness<IndexedDocument, IndexChange> harness = harness()) {
            harness.open();
            harness.processElement(upsert("legacy", "new", 1), 0);
            harness.processElement(new IndexedDocument("legacy", "old", 2, DocumentOp.DELETE, List.of(),
                    Instant.EPOCH, "test-0@2"), 0);
            harness.prepareSnapshotPreBarrier(1);

            assertThat(controlEvents(harness)).singleElement()
                    .satisfies(e -> assertThat(e.getType()).isEqualTo(ControlType.EMBEDDING_MODEL_CHANGED));
            assertThat(harness.extractOutputValues()).extracting(c -> c.getDocId() + " " + c.getOp())
                    .containsExactly("old DELETE");
        }
        try (LuceneShardStore reader = LuceneShardStore.builder().dataDir(dir).dimension(DIMENSION).readOnly(true)
                .build()) {
            assertThat(reader.searchKeyword("new old", 10,
                    SearchFilter.collection("legacy"))).isEmpty();
        }
    }

    private OneInputStreamOperatorTestHarness<IndexedDocument, IndexChange> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new CommittingStoreWriter(
                new LuceneStoreFactory(dir, CONFIGURED, DIMENSION), 60_000, 1_000, CONFIGURED));
    }

    private static List<ControlEvent> controlEvents(
            OneInputStreamOperatorTestHarness<IndexedDocument, IndexChange> harness) {
        Queue<StreamRecord<ControlEvent>> out = harness.getSideOutput(CommittingStoreWriter.CONTROL_EVENTS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    private static IndexedDocument upsert(String collection, String docId, long version) {
        return new IndexedDocument(collection, docId, version, DocumentOp.UPSERT, List.of(new EmbeddedChunk(
                ChunkIds.of(collection, docId, 0, version), 0, "t", "new text", Map.of(), new float[] {0, 1})),
                Instant.EPOCH, "test-0@" + version);
    }
}
