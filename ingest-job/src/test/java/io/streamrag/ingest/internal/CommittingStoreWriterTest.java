package io.streamrag.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.chunk.ChunkIds;
import io.streamrag.core.store.ForwardingVectorStore;
import io.streamrag.core.store.VectorStore;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommittingStoreWriterTest {
    private static final long INTERVAL_MS = 200;

    private final RecordingVectorStore store = new RecordingVectorStore();
    private final List<IndexChange> emitted = new ArrayList<>();
    /** For each emitted change, its document's committed chunk ids at the moment it was emitted. */
    private final List<List<String>> visibleAtEmission = new ArrayList<>();
    private OneInputStreamOperatorTestHarness<IndexedDocument, IndexChange> harness;

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void holdsChangesUntilTheCommitIntervalThenCommitsAndAnnounces() throws Exception {
        open(64);
        harness.setProcessingTime(1_000);
        harness.processElement(upsert("a", 1, 2), 0);
        harness.processElement(upsert("b", 1, 1), 0);

        assertThat(emitted).isEmpty();
        assertThat(store.commits()).isZero();

        harness.setProcessingTime(1_000 + INTERVAL_MS);

        assertThat(store.commits()).isEqualTo(1);
        assertThat(emitted).extracting(IndexChange::getDocId).containsExactly("a", "b");
        assertThat(emitted).allSatisfy(c -> assertThat(c.getCommitEpoch()).isEqualTo(1L));
        assertThat(emitted.get(0).getAddedChunkIds()).containsExactly(id("a", 0, 1), id("a", 1, 1));
        assertThat(violations()).isEmpty();
    }

    @Test
    void reportsRemovedChunksOfTheReplacedVersionAndOfADelete() throws Exception {
        open(64);
        harness.processElement(upsert("a", 1, 2), 0);
        harness.processElement(upsert("a", 2, 1), 0);
        harness.processElement(delete("a", 3), 0);
        harness.prepareSnapshotPreBarrier(1);

        assertThat(emitted).extracting(c -> c.getOp() + " v" + c.getVersion())
                .containsExactly("UPSERT v1", "UPSERT v2", "DELETE v3");
        assertThat(emitted.get(1).getRemovedChunkIds()).containsExactlyInAnyOrder(id("a", 0, 1), id("a", 1, 1));
        assertThat(emitted.get(2).getAddedChunkIds()).isEmpty();
        assertThat(emitted.get(2).getRemovedChunkIds()).containsExactly(id("a", 0, 2));
        assertThat(store.committedChunks("docs", "a")).isEmpty();
        assertThat(violations()).isEmpty();
    }

    @Test
    void aFullBatchCommitsWithoutWaitingForTheTimer() throws Exception {
        open(2);
        harness.processElement(upsert("a", 1, 1), 0);
        assertThat(emitted).isEmpty();
        harness.processElement(upsert("b", 1, 1), 0);

        assertThat(store.commits()).isEqualTo(1);
        assertThat(emitted).hasSize(2);
        assertThat(violations()).isEmpty();
    }

    @Test
    void commitsBeforeEveryCheckpointBarrier() throws Exception {
        open(64);
        harness.processElement(upsert("a", 1, 1), 0);
        harness.prepareSnapshotPreBarrier(7);

        assertThat(store.commits()).isEqualTo(1);
        assertThat(emitted).extracting(IndexChange::getDocId).containsExactly("a");
        assertThat(violations()).isEmpty();

        // nothing held: no empty commit
        harness.prepareSnapshotPreBarrier(8);
        assertThat(store.commits()).isEqualTo(1);
    }

    @Test
    void commitsAtTheEndOfInputAndClosesTheStore() throws Exception {
        open(64);
        harness.processElement(upsert("a", 1, 1), 0);
        harness.getOperator().finish();

        assertThat(emitted).hasSize(1);
        assertThat(violations()).isEmpty();
        harness.close();
        harness = null;
        assertThat(store.closed()).isTrue();
    }

    @Test
    void epochsAndCommitTimesComeFromEachCommit() throws Exception {
        open(1);
        Instant before = Instant.now();
        harness.processElement(upsert("a", 1, 1), 0);
        harness.processElement(upsert("b", 1, 1), 0);

        assertThat(emitted).extracting(IndexChange::getCommitEpoch).containsExactly(1L, 2L);
        assertThat(emitted).allSatisfy(c -> {
            assertThat(c.getCommitTime()).isAfterOrEqualTo(before.truncatedTo(ChronoUnit.MILLIS));
            assertThat(c.getSourceEventTime()).isEqualTo(Instant.ofEpochMilli(42));
        });
    }

    @Test
    void reportsFreshnessPerChangeAtCommitAndAtTheCheckpointThatPublishesIt() throws Exception {
        open(64);
        harness.processElement(upsert("a", 1, 1), 0);
        harness.processElement(upsert("b", 1, 1), 0);
        harness.prepareSnapshotPreBarrier(1);
        harness.processElement(upsert("c", 1, 1), 0);
        harness.prepareSnapshotPreBarrier(2);

        // event time 42 ms after the epoch: freshness is commitTime - 42 for each change
        long expected = emitted.get(0).getCommitTime().toEpochMilli() - 42;
        CommittingStoreWriter writer = (CommittingStoreWriter) harness.getOperator();
        assertThat(writer.freshnessHistogram().getCount()).isEqualTo(3);
        assertThat(writer.freshnessHistogram().getStatistics().getMin()).isEqualTo(expected);

        // the exactly-once sink publishes a and b when checkpoint 1 completes; c waits for checkpoint 2
        assertThat(writer.announceFreshnessHistogram().getCount()).isZero();
        harness.notifyOfCompletedCheckpoint(1);
        assertThat(writer.announceFreshnessHistogram().getCount()).isEqualTo(2);
        assertThat(writer.announceFreshnessHistogram().getStatistics().getMin()).isGreaterThanOrEqualTo(expected);
        harness.notifyOfCompletedCheckpoint(2);
        assertThat(writer.announceFreshnessHistogram().getCount()).isEqualTo(3);
    }

    @Test
    void aStoreThatFailsToCloseDoesNotFailTheOperatorsClose() throws Exception {
        // as when Flink's cancellation interrupt invalidated a shard's write lock during a commit
        VectorStore failingToClose = new ForwardingVectorStore(store) {
            @Override
            public void close() {
                super.close();
                throw new UncheckedIOException(new IOException("FileLock invalidated by an external force"));
            }
        };
        harness = new OneInputStreamOperatorTestHarness<>(
                new CommittingStoreWriter(() -> failingToClose, INTERVAL_MS, 10));
        harness.open();
        harness.processElement(upsert("a", 1, 1), 0);

        harness.close();
        harness = null;
        assertThat(store.closed()).isTrue();
    }

    @Test
    void rejectsBadSettings() {
        SerializableSupplier<VectorStore> factory = () -> store;
        assertThatThrownBy(() -> new CommittingStoreWriter(factory, 0, 1))
                .hasMessageContaining("commitIntervalMs must be > 0, got 0");
        assertThatThrownBy(() -> new CommittingStoreWriter(factory, 1, -3))
                .hasMessageContaining("maxBatchDocuments must be > 0, got -3");
    }

    private void open(int maxBatchDocuments) throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(
                new CommittingStoreWriter(() -> store, INTERVAL_MS, maxBatchDocuments));
        // Look at the store at the moment of each emission, not afterwards.
        harness.setOutputCreator(serializer -> new CheckingOutput());
        harness.open();
    }

    private static IndexedDocument upsert(String docId, long version, int chunks) {
        List<EmbeddedChunk> embedded = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            embedded.add(new EmbeddedChunk(id(docId, i, version), i, "t", "chunk " + i, Map.of(),
                    new float[] {1, 0}));
        }
        return new IndexedDocument("docs", docId, version, DocumentOp.UPSERT, embedded, Instant.ofEpochMilli(42),
                "test-0@" + version);
    }

    private static IndexedDocument delete(String docId, long version) {
        return new IndexedDocument("docs", docId, version, DocumentOp.DELETE, List.of(), Instant.ofEpochMilli(42),
                "test-0@" + version);
    }

    private static String id(String docId, int ordinal, long version) {
        return ChunkIds.of("docs", docId, ordinal, version);
    }

    /**
     * The changes that were emitted before the commit that makes them visible. A change was visible if, when
     * it was emitted, the store had committed all chunks it added and none it removed, or if a newer version
     * of the document was committed by the same commit (same epoch) and replaced it.
     */
    private List<String> violations() {
        List<String> violations = new ArrayList<>();
        for (int i = 0; i < emitted.size(); i++) {
            IndexChange change = emitted.get(i);
            List<String> visible = visibleAtEmission.get(i);
            boolean addedVisible = visible.containsAll(change.getAddedChunkIds());
            boolean removedGone = change.getRemovedChunkIds().stream().noneMatch(visible::contains);
            boolean supersededInSameCommit = emitted.stream().anyMatch(c -> c.getDocId().equals(change.getDocId())
                    && c.getVersion() > change.getVersion() && c.getCommitEpoch() == change.getCommitEpoch());
            if (!(addedVisible && removedGone) && !supersededInSameCommit) {
                violations.add(change.getDocId() + " v" + change.getVersion() + " announced before its commit, "
                        + "store showed " + visible);
            }
        }
        return violations;
    }

    /** Records each emitted change with the chunks of its document that were committed at that moment. */
    private final class CheckingOutput implements Output<StreamRecord<IndexChange>> {
        @Override
        public void collect(StreamRecord<IndexChange> record) {
            IndexChange change = record.getValue();
            visibleAtEmission.add(store.committedChunks(change.getCollection(), change.getDocId()));
            emitted.add(change);
        }

        @Override
        public <X> void collect(OutputTag<X> outputTag, StreamRecord<X> record) {
            throw new AssertionError("the writer has no side outputs");
        }

        @Override
        public void emitWatermark(Watermark mark) {
            // the writer emits no watermarks of its own; nothing to record
        }

        @Override
        public void emitWatermarkStatus(WatermarkStatus watermarkStatus) {
        }

        @Override
        public void emitLatencyMarker(LatencyMarker latencyMarker) {
        }

        @Override
        public void emitRecordAttributes(RecordAttributes recordAttributes) {
        }

        @Override
        public void emitWatermark(WatermarkEvent watermark) {
        }

        @Override
        public void close() {
        }
    }
}
