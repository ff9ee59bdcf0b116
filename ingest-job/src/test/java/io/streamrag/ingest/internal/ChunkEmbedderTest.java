package io.streamrag.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingException;
import io.streamrag.core.embed.TokenCounter;
import io.streamrag.ingest.RawDocument;
import io.streamrag.schemas.DocumentOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Micro-batching across documents: what goes into each embedder call, and what comes out in which order. */
class ChunkEmbedderTest {
    private static final long MAX_WAIT_MS = 100;
    /** Chunks of at most 8 words: texts below are 1 chunk unless built with {@link #words}. */
    private static final int MAX_TOKENS = 8;

    private final FakeEmbedder embedder = new FakeEmbedder();
    private OneInputStreamOperatorTestHarness<DocumentChange, IndexedDocument> harness;
    private long offset;

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void embedsTheChunksOfSeveralDocumentsInOneCallOnceTheFirstHasWaitedMaxWait() throws Exception {
        open(32, MAX_WAIT_MS);
        harness.setProcessingTime(1_000);
        harness.processElement(upsert("a", 1, "alpha text"), 0);
        harness.setProcessingTime(1_050);
        harness.processElement(upsert("b", 1, "beta text"), 0);
        harness.processElement(upsert("c", 1, "gamma text"), 0);

        assertThat(embedder.calls).isEmpty();
        assertThat(emitted()).isEmpty();

        harness.setProcessingTime(1_000 + MAX_WAIT_MS);

        assertThat(embedder.calls).hasSize(1);
        assertThat(embedder.calls.get(0)).hasSize(3);
        assertThat(emitted()).extracting(IndexedDocument::docId).containsExactly("a", "b", "c");
        assertVectorsBelongToTheirChunks();
    }

    @Test
    void aFullBatchIsEmbeddedWithoutWaitingForTheTimer() throws Exception {
        open(3, MAX_WAIT_MS);
        harness.processElement(upsert("a", 1, "alpha"), 0);
        harness.processElement(upsert("b", 1, "beta"), 0);
        assertThat(embedder.calls).isEmpty();
        harness.processElement(upsert("c", 1, "gamma"), 0);

        assertThat(embedder.calls).extracting(List::size).containsExactly(3);
        assertThat(emitted()).extracting(IndexedDocument::docId).containsExactly("a", "b", "c");
    }

    @Test
    void aDocumentIsNeverSplitAcrossCallsAndALargeOneIsOneCall() throws Exception {
        open(3, MAX_WAIT_MS);
        harness.processElement(upsert("small", 1, "just a few words"), 0);
        harness.processElement(upsert("large", 1, words(40)), 0); // 5+ chunks, more than the batch

        // the held document went out first, alone, so that "large" was not split; "large" is one call
        assertThat(embedder.calls).hasSize(2);
        assertThat(embedder.calls.get(0)).hasSize(1);
        int largeChunks = embedder.calls.get(1).size();
        assertThat(largeChunks).isGreaterThan(3);
        assertThat(emitted()).extracting(IndexedDocument::docId).containsExactly("small", "large");
        assertThat(emitted().get(1).chunks()).hasSize(largeChunks);
        assertVectorsBelongToTheirChunks();
    }

    @Test
    void keepsArrivalOrderOfVersionsAndDeletes() throws Exception {
        open(32, MAX_WAIT_MS);
        harness.processElement(upsert("a", 1, "first version"), 0);
        harness.processElement(delete("b", 4), 0);
        harness.processElement(upsert("a", 2, "second version"), 0);
        harness.processElement(delete("a", 3), 0);
        harness.processElement(upsert("c", 1, "other document"), 0);

        // the deletes need no embedding but must not overtake the upserts held before them
        assertThat(emitted()).isEmpty();
        harness.setProcessingTime(harness.getProcessingTime() + MAX_WAIT_MS);

        assertThat(emitted()).extracting(d -> d.docId() + " v" + d.version() + " " + d.op())
                .containsExactly("a v1 UPSERT", "b v4 DELETE", "a v2 UPSERT", "a v3 DELETE", "c v1 UPSERT");
        assertThat(emitted().get(1).chunks()).isEmpty();
        assertThat(embedder.calls).hasSize(1);
        assertVectorsBelongToTheirChunks();
    }

    @Test
    void aDeleteWithNothingHeldIsEmittedAtOnce() throws Exception {
        open(32, MAX_WAIT_MS);
        harness.processElement(delete("a", 2), 0);

        assertThat(emitted()).extracting(IndexedDocument::op).containsExactly(DocumentOp.DELETE);
        assertThat(embedder.calls).isEmpty();
    }

    @Test
    void embedsAndEmitsEverythingHeldBeforeTheCheckpointBarrier() throws Exception {
        open(32, 60_000);
        harness.processElement(upsert("a", 1, "alpha"), 0);
        harness.processElement(upsert("b", 1, "beta"), 0);
        assertThat(emitted()).isEmpty();

        harness.prepareSnapshotPreBarrier(1);

        assertThat(emitted()).extracting(IndexedDocument::docId).containsExactly("a", "b");
        assertThat(embedder.calls).hasSize(1);
        // nothing held, nothing to embed at the next barrier
        harness.prepareSnapshotPreBarrier(2);
        assertThat(embedder.calls).hasSize(1);
    }

    @Test
    void embedsAndEmitsEverythingHeldAtTheEndOfInput() throws Exception {
        open(32, 60_000);
        harness.processElement(upsert("a", 1, "alpha"), 0);
        harness.getOperator().finish();

        assertThat(emitted()).extracting(IndexedDocument::docId).containsExactly("a");
        harness.close();
        harness = null;
        assertThat(embedder.closed).isTrue();
    }

    @Test
    void zeroMaxWaitEmbedsEachDocumentInItsOwnCall() throws Exception {
        open(32, 0);
        harness.processElement(upsert("a", 1, "alpha"), 0);
        harness.processElement(upsert("b", 1, "beta"), 0);

        assertThat(embedder.calls).extracting(List::size).containsExactly(1, 1);
        assertThat(emitted()).extracting(IndexedDocument::docId).containsExactly("a", "b");
    }

    @Test
    void aDocumentTheModelRejectsIsDeadLetteredAndItsBatchMatesGoOnInOrder() throws Exception {
        open(32, MAX_WAIT_MS);
        harness.processElement(upsert("a", 1, "alpha"), 0);
        harness.processElement(upsert("bad", 1, "POISON pill"), 0);
        harness.processElement(upsert("c", 1, "gamma"), 0);
        harness.setProcessingTime(harness.getProcessingTime() + MAX_WAIT_MS);

        assertThat(emitted()).extracting(IndexedDocument::docId).containsExactly("a", "c");
        List<RejectedDocument> rejected = harness.getSideOutput(RejectedDocument.EMBED_FAILED).stream()
                .map(StreamRecord::getValue).toList();
        assertThat(rejected).singleElement().satisfies(r -> {
            assertThat(r.stage()).isEqualTo(RejectedDocument.EMBED);
            assertThat(r.reason()).contains("POISON");
            assertThat(r.raw().offset()).isEqualTo(1);
        });
        // one batch call that failed, then each document alone
        assertThat(embedder.calls).extracting(List::size).containsExactly(3, 1, 1, 1);
        assertVectorsBelongToTheirChunks();
    }

    @Test
    void rejectsBadSettingsNamingThem() {
        assertThatThrownBy(() -> new ChunkEmbedder(() -> embedder, MAX_TOKENS, 0, 0, 10))
                .hasMessageContaining("maxBatchChunks must be > 0, got 0");
        assertThatThrownBy(() -> new ChunkEmbedder(() -> embedder, MAX_TOKENS, 0, 8, -1))
                .hasMessageContaining("maxWaitMs must be >= 0, got -1");
    }

    private void open(int maxBatchChunks, long maxWaitMs) throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(
                new ChunkEmbedder(() -> embedder, MAX_TOKENS, 0, maxBatchChunks, maxWaitMs));
        harness.open();
    }

    private List<IndexedDocument> emitted() {
        return harness.extractOutputValues();
    }

    /** Each emitted vector is the one the embedder returned for that chunk's text, whichever call it was in. */
    private void assertVectorsBelongToTheirChunks() {
        for (IndexedDocument doc : emitted()) {
            for (EmbeddedChunk chunk : doc.chunks()) {
                float[] v = chunk.vector();
                assertThat(embedder.calls.get((int) v[0]).get((int) v[1])).contains(chunk.text());
            }
        }
    }

    private DocumentChange upsert(String docId, long version, String text) {
        return change(docId, version, DocumentOp.UPSERT, text);
    }

    private DocumentChange delete(String docId, long version) {
        return change(docId, version, DocumentOp.DELETE, "");
    }

    private DocumentChange change(String docId, long version, DocumentOp op, String text) {
        RawDocument raw = new RawDocument("rag.documents", 0, offset++, null, new byte[] {1});
        return new DocumentChange("docs", docId, version, op, "", text, Map.of(), Instant.ofEpochMilli(1), raw);
    }

    private static String words(int n) {
        return IntStream.range(0, n).mapToObj(i -> "w" + i).collect(Collectors.joining(" ")) + ".";
    }

    /**
     * Counts whitespace-separated words as tokens; records each call; returns {@code [call, position]} as the
     * vector of each text so that tests can trace a vector back to its text; fails on texts containing POISON.
     */
    private static final class FakeEmbedder implements Embedder {
        final List<List<String>> calls = new ArrayList<>();
        boolean closed;

        @Override
        public List<float[]> embedPassages(List<String> texts) {
            int call = calls.size();
            calls.add(List.copyOf(texts));
            if (texts.stream().anyMatch(t -> t.contains("POISON"))) {
                throw new EmbeddingException("model rejected POISON");
            }
            List<float[]> vectors = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                vectors.add(new float[] {call, i});
            }
            return vectors;
        }

        @Override
        public float[] embedQuery(String text) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public String modelId() {
            return "fake";
        }

        @Override
        public TokenCounter tokenCounter() {
            return text -> text.isBlank() ? 0 : text.trim().split("\\s+").length;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
