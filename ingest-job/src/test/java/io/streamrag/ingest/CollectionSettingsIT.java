package io.streamrag.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.ChunkIds;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.store.CollectionProfile;
import io.streamrag.core.store.IndexedChunk;
import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.ControlType;
import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job over a store whose collections were created with other settings, on a Flink MiniCluster with a fast
 * test embedder: a changed shard count is published once as a ControlEvent and not applied, a collection of
 * another embedding model is refused upserts, and a new collection gets the job's per-collection shard count.
 */
class CollectionSettingsIT {
    private static final AvroCodec<DocumentEvent> CODEC = AvroCodec.of(DocumentEvent.class);
    private static final String MODEL = EmbeddingModel.DEFAULT.id();
    private static final int DIMENSION = PoisonSensitiveEmbedder.DIMENSION;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path tmp;

    @Test
    void aChangedSettingIsPublishedOnceAndRecordedSettingsWin() throws Exception {
        Path indexDir = Files.createDirectories(tmp.resolve("index"));
        IngestSettings settings = IngestSettings.builder()
                .indexDir(indexDir)
                .shardsPerCollection(2)
                .collectionShards(Map.of("sharded", 4, "fresh", 3))
                .commitIntervalMs(20)
                .maxBatchDocuments(2)
                .build();
        // created earlier: "sharded" with 2 shards and the job's model, "legacy" with another model
        try (LuceneShardStore earlier = LuceneShardStore.builder().dataDir(indexDir).dimension(DIMENSION)
                .shardsPerCollection(2).embeddingModelId(MODEL)
                .chunking(settings.chunkMaxTokens(), settings.chunkOverlapTokens()).build()) {
            earlier.replaceDocument("sharded", "old", List.of(chunk("sharded", "old")));
            earlier.commit();
        }
        try (LuceneShardStore earlier = LuceneShardStore.builder().dataDir(indexDir).dimension(DIMENSION)
                .embeddingModelId("another-model").build()) {
            earlier.replaceDocument("legacy", "old", List.of(chunk("legacy", "old")));
            earlier.replaceDocument("legacy", "gone", List.of(chunk("legacy", "gone")));
            earlier.commit();
        }

        List<RawDocument> input = List.of(
                raw(0, upsert("sharded", "a", 1)),
                raw(1, upsert("sharded", "b", 1)),
                raw(2, upsert("sharded", "a", 2)),
                raw(3, upsert("fresh", "a", 1)),
                raw(4, upsert("legacy", "new", 1)),
                raw(5, delete("legacy", "gone", 2)),
                raw(6, upsert("sharded", "c", 1)));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<RawDocument> documents = env.fromData(input, TypeInformation.of(RawDocument.class))
                .name("test-documents").uid("test-documents");
        String testId = UUID.randomUUID().toString();
        CollectingSink<IndexChange> changes = new CollectingSink<>(testId + "-changes");
        CollectingSink<DeadLetter> deadLetters = new CollectingSink<>(testId + "-dlq");
        CollectingSink<ControlEvent> control = new CollectingSink<>(testId + "-control");
        IngestJob.defineWorkflow(env, documents, changes, deadLetters, control, settings,
                PoisonSensitiveEmbedder.factory());
        env.execute("collection-settings-it");

        List<ControlEvent> events = control.drain();
        assertThat(events).extracting(ControlEvent::getCollection)
                .containsExactlyInAnyOrder("sharded", "legacy");
        ControlEvent sharded = events.stream().filter(e -> e.getCollection().equals("sharded")).findFirst()
                .orElseThrow();
        assertThat(sharded.getType()).isEqualTo(ControlType.COLLECTION_SETTINGS_CHANGED);
        assertThat(sharded.getSettings()).containsEntry("shards", "4").containsEntry("previous.shards", "2")
                .containsEntry("changed", "shards");
        ControlEvent legacy = events.stream().filter(e -> e.getCollection().equals("legacy")).findFirst()
                .orElseThrow();
        assertThat(legacy.getType()).isEqualTo(ControlType.EMBEDDING_MODEL_CHANGED);
        assertThat(legacy.getSettings()).containsEntry("embeddingModel", MODEL)
                .containsEntry("previous.embeddingModel", "another-model");

        // the refused upsert is neither written nor announced; the delete is applied
        assertThat(changes.drain()).extracting(c -> c.getCollection() + "/" + c.getDocId() + " v" + c.getVersion())
                .containsExactlyInAnyOrder("sharded/a v1", "sharded/b v1", "sharded/a v2", "sharded/c v1",
                        "fresh/a v1", "legacy/gone v2");
        assertThat(deadLetters.drain()).isEmpty();

        try (LuceneShardStore reader = LuceneShardStore.builder().dataDir(indexDir).dimension(DIMENSION)
                .readOnly(true).build()) {
            assertThat(reader.recordedSettings("sharded").orElseThrow().shards()).isEqualTo(2);
            CollectionProfile fresh = reader.recordedSettings("fresh").orElseThrow();
            assertThat(fresh.shards()).isEqualTo(3);
            assertThat(fresh.embeddingModelId()).contains(MODEL);
            assertThat(fresh.chunking()).contains(new CollectionProfile.Chunking(settings.chunkMaxTokens(),
                    settings.chunkOverlapTokens()));
            assertThat(reader.recordedSettings("legacy").orElseThrow().embeddingModelId()).contains("another-model");
            assertThat(IngestJobIT.chunksByDoc(reader, "legacy", DIMENSION).keySet()).containsExactly("old");
            assertThat(IngestJobIT.chunksByDoc(reader, "sharded", DIMENSION).keySet())
                    .containsExactlyInAnyOrder("old", "a", "b", "c");
        }
        assertThat(Files.isDirectory(indexDir.resolve("sharded").resolve("shard-2"))).isFalse();
    }

    private static IndexedChunk chunk(String collection, String docId) {
        float[] vector = new float[DIMENSION];
        vector[0] = 1;
        return new IndexedChunk(new Chunk(ChunkIds.of(collection, docId, 0, 1), collection, docId, 1, 0, null,
                "an older chunk", Map.of()), vector);
    }

    private static RawDocument raw(long offset, DocumentEvent event) {
        return new RawDocument("rag.documents", 0, offset, ("key-" + offset).getBytes(StandardCharsets.UTF_8),
                CODEC.encode(event));
    }

    private static DocumentEvent upsert(String collection, String docId, long version) {
        return event(collection, docId, version, DocumentOp.UPSERT, "Document " + docId + " v" + version
                + " of " + collection + " about bees and honey.");
    }

    private static DocumentEvent delete(String collection, String docId, long version) {
        return event(collection, docId, version, DocumentOp.DELETE, null);
    }

    private static DocumentEvent event(String collection, String docId, long version, DocumentOp op, String text) {
        return DocumentEvent.newBuilder()
                .setCollection(collection)
                .setDocId(docId)
                .setVersion(version)
                .setOp(op)
                .setTitle(null)
                .setText(text)
                .setMetadata(Map.of())
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }
}
