package io.streamrag.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.ingest.RawDocument;
import io.streamrag.schemas.DocumentOp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VersionGuardTest {
    private static final long RETENTION_MS = 60_000;

    private KeyedOneInputStreamOperatorTestHarness<String, DocumentChange, DocumentChange> harness;

    @BeforeEach
    void openHarness() throws Exception {
        harness = newHarness();
        harness.open();
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    @Test
    void passesIncreasingVersionsAndDropsStaleAndDuplicateOnes() throws Exception {
        process(upsert("docs", "a", 1));
        process(upsert("docs", "a", 2));
        process(upsert("docs", "a", 2)); // duplicate
        process(upsert("docs", "a", 1)); // stale redelivery
        process(upsert("docs", "a", 5)); // gaps are fine

        assertThat(versionsOut()).containsExactly("docs/a v1", "docs/a v2", "docs/a v5");
    }

    @Test
    void deleteRecordsItsVersionSoALateOlderUpsertCannotResurrectTheDocument() throws Exception {
        process(upsert("docs", "a", 2));
        process(delete("docs", "a", 3));
        process(upsert("docs", "a", 2)); // late redelivery of the version before the delete
        process(delete("docs", "a", 3)); // duplicate delete
        process(upsert("docs", "a", 4)); // a newer version recreates it

        assertThat(harness.extractOutputValues())
                .extracting(c -> c.op() + " v" + c.version())
                .containsExactly("UPSERT v2", "DELETE v3", "UPSERT v4");
    }

    @Test
    void deleteOfAnUnseenDocumentBlocksOlderUpserts() throws Exception {
        process(delete("docs", "a", 7));
        process(upsert("docs", "a", 6));

        assertThat(versionsOut()).containsExactly("docs/a v7");
    }

    @Test
    void documentsAndCollectionsAreGuardedIndependently() throws Exception {
        process(upsert("docs", "a", 5));
        process(upsert("docs", "b", 1));
        process(upsert("other", "a", 1));
        process(upsert("docs", "a/b", 1)); // docIds may contain '/'
        process(upsert("docs", "b", 1));

        assertThat(versionsOut()).containsExactly("docs/a v5", "docs/b v1", "other/a v1", "docs/a/b v1");
    }

    @Test
    void aTombstoneBlocksResurrectionForTheWholeRetention() throws Exception {
        harness.setProcessingTime(1_000);
        process(upsert("docs", "a", 2));
        process(delete("docs", "a", 3));

        harness.setProcessingTime(1_000 + RETENTION_MS - 1);
        process(upsert("docs", "a", 2)); // late older upsert: must not bring the document back
        process(upsert("docs", "a", 3)); // same version as the delete

        assertThat(harness.extractOutputValues()).extracting(c -> c.op() + " v" + c.version())
                .containsExactly("UPSERT v2", "DELETE v3");
        assertThat(harness.numKeyedStateEntries()).isPositive();
    }

    @Test
    void anExpiredTombstoneFreesTheStateAndThenAcceptsAnyVersion() throws Exception {
        harness.setProcessingTime(1_000);
        process(delete("docs", "a", 3));

        harness.setProcessingTime(1_000 + RETENTION_MS);

        // the documented price of a bounded retention: an upsert older than the forgotten delete is indexed
        assertThat(harness.numKeyedStateEntries()).isZero();
        process(upsert("docs", "a", 2));
        assertThat(versionsOut()).containsExactly("docs/a v3", "docs/a v2");
    }

    @Test
    void aNewerUpsertRevivesTheDocumentAndItsVersionOutlivesTheOldTombstone() throws Exception {
        harness.setProcessingTime(1_000);
        process(delete("docs", "a", 3));
        harness.setProcessingTime(2_000);
        process(upsert("docs", "a", 4));

        harness.setProcessingTime(1_000 + RETENTION_MS + 1);
        process(upsert("docs", "a", 3)); // still stale: the live document's version is kept

        assertThat(versionsOut()).containsExactly("docs/a v3", "docs/a v4");
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aTombstoneAndItsTimerSurviveACheckpointAndRestore() throws Exception {
        harness.setProcessingTime(1_000);
        process(delete("docs", "a", 3));
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = newHarness();
        harness.setProcessingTime(1_000);
        harness.initializeState(snapshot);
        harness.open();
        process(upsert("docs", "a", 2));
        assertThat(versionsOut()).isEmpty();

        harness.setProcessingTime(1_000 + RETENTION_MS);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void highestVersionSurvivesACheckpointAndRestore() throws Exception {
        process(upsert("docs", "a", 3));
        process(delete("docs", "b", 2));
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        process(upsert("docs", "a", 3));
        process(upsert("docs", "b", 1));
        process(upsert("docs", "a", 4));

        assertThat(versionsOut()).containsExactly("docs/a v4");
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, DocumentChange, DocumentChange> newHarness()
            throws Exception {
        // not ProcessFunctionTestHarnesses: it opens the harness, and a restore must initialise state first
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new VersionGuard(RETENTION_MS)),
                DocumentChange::documentKey, Types.STRING);
    }

    private void process(DocumentChange change) throws Exception {
        harness.processElement(change, 0L);
    }

    private List<String> versionsOut() {
        return harness.extractOutputValues().stream().map(c -> c.documentKey() + " v" + c.version()).toList();
    }

    private static DocumentChange upsert(String collection, String docId, long version) {
        return new DocumentChange(collection, docId, version, DocumentOp.UPSERT, "title", "text of v" + version,
                Map.of(), Instant.EPOCH, source(version));
    }

    private static DocumentChange delete(String collection, String docId, long version) {
        return new DocumentChange(collection, docId, version, DocumentOp.DELETE, null, null, Map.of(), Instant.EPOCH,
                source(version));
    }

    private static RawDocument source(long offset) {
        return new RawDocument("test", 0, offset, null, new byte[] {1});
    }
}
