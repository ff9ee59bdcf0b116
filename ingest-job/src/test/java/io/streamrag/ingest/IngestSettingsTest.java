package io.streamrag.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.store.StoreSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestSettingsTest {

    @Test
    void hasTheDocumentedDefaults() {
        IngestSettings s = IngestSettings.builder().indexDir(Path.of("/data/index")).build();

        assertThat(s.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(s.documentsTopic()).isEqualTo("rag.documents");
        assertThat(s.indexChangesTopic()).isEqualTo("rag.index-changes");
        assertThat(s.groupId()).isEqualTo("streamrag-ingest");
        assertThat(s.indexDir()).isEqualTo(Path.of("/data/index"));
        assertThat(s.shardsPerCollection()).isEqualTo(2);
        assertThat(s.embeddingModelId()).isEqualTo(EmbeddingModel.DEFAULT.id());
        assertThat(s.embedThreads()).isEqualTo(1);
        assertThat(s.chunkMaxTokens()).isEqualTo(256);
        assertThat(s.chunkOverlapTokens()).isEqualTo(32);
        assertThat(s.commitIntervalMs()).isEqualTo(200);
        assertThat(s.maxBatchDocuments()).isEqualTo(64);
        assertThat(s.checkpointIntervalMs()).isEqualTo(1000);
        assertThat(s.startFromEarliest()).isTrue();
        assertThat(s.checkpointDir()).isEmpty();
        assertThat(s.transactionalIdPrefix()).isEqualTo("streamrag-ingest");
        assertThat(s.tombstoneRetentionMs()).isEqualTo(7L * 24 * 3600 * 1000);
        assertThat(s.maxTextBytes()).isEqualTo(5 * 1024 * 1024);
        assertThat(s.embedAttempts()).isEqualTo(3);
        assertThat(s.embedRetryBackoffMs()).isEqualTo(100);
    }

    @Test
    void parsesTheCheckpointDeadLetterAndRetryFlags() {
        IngestSettings s = IngestSettings.fromArgs(new String[] {
            "--index-dir", "/x", "--checkpoint-dir", "/ckpt", "--transactional-id-prefix", "tx",
            "--tombstone-retention-ms", "60000", "--max-text-bytes", "1000", "--embed-attempts", "5",
            "--embed-retry-backoff-ms", "0"});

        assertThat(s.checkpointDir()).contains(Path.of("/ckpt"));
        assertThat(s.transactionalIdPrefix()).isEqualTo("tx");
        assertThat(s.tombstoneRetentionMs()).isEqualTo(60_000);
        assertThat(s.maxTextBytes()).isEqualTo(1000);
        assertThat(s.embedAttempts()).isEqualTo(5);
        assertThat(s.embedRetryBackoffMs()).isZero();
        assertThat(s.toBuilder().build().checkpointDir()).contains(Path.of("/ckpt"));
    }

    @Test
    void parsesEveryFlag() {
        IngestSettings s = IngestSettings.fromArgs(new String[] {
            "--bootstrap", "kafka:29092", "--documents-topic", "docs", "--index-changes-topic=changes",
            "--group-id", "g", "--index-dir", "/x", "--shards", "4", "--model", EmbeddingModel.BGE_SMALL_EN_V15.id(),
            "--embed-threads", "3", "--chunk-max-tokens", "128", "--chunk-overlap-tokens", "0",
            "--commit-interval-ms", "50", "--max-batch-documents", "8", "--checkpoint-interval-ms", "1000",
            "--start-from-earliest", "false"});

        assertThat(s.bootstrapServers()).isEqualTo("kafka:29092");
        assertThat(s.documentsTopic()).isEqualTo("docs");
        assertThat(s.indexChangesTopic()).isEqualTo("changes");
        assertThat(s.groupId()).isEqualTo("g");
        assertThat(s.indexDir()).isEqualTo(Path.of("/x"));
        assertThat(s.shardsPerCollection()).isEqualTo(4);
        assertThat(s.embeddingModelId()).isEqualTo(EmbeddingModel.BGE_SMALL_EN_V15.id());
        assertThat(s.embedThreads()).isEqualTo(3);
        assertThat(s.chunkMaxTokens()).isEqualTo(128);
        assertThat(s.chunkOverlapTokens()).isZero();
        assertThat(s.commitIntervalMs()).isEqualTo(50);
        assertThat(s.maxBatchDocuments()).isEqualTo(8);
        assertThat(s.checkpointIntervalMs()).isEqualTo(1000);
        assertThat(s.startFromEarliest()).isFalse();
    }

    @Test
    void theStoreFlagSelectsTheStoreAndEachStoreNeedsItsLocation() {
        IngestSettings lucene = IngestSettings.fromArgs(new String[] {"--index-dir", "/x"});
        assertThat(lucene.store()).isEqualTo(StoreSettings.Kind.LUCENE);
        assertThat(lucene.storeSettings().kind()).isEqualTo(StoreSettings.Kind.LUCENE);

        IngestSettings es = IngestSettings.fromArgs(new String[] {"--store", "elasticsearch",
            "--store-elasticsearch-hosts", "http://127.0.0.1:9200,http://127.0.0.1:9201",
            "--store-elasticsearch-index-prefix", "rag-", "--store-elasticsearch-replicas", "2", "--shards", "3"});
        assertThat(es.store()).isEqualTo(StoreSettings.Kind.ELASTICSEARCH);
        assertThat(es.storeSettings().toString()).contains("http://127.0.0.1:9201", "rag-*");
        assertThat(es.shardsPerCollection()).isEqualTo(3);
        assertThatThrownBy(es::indexDir).hasMessageContaining("elasticsearch");

        assertThatThrownBy(() -> IngestSettings.fromArgs(new String[] {"--store", "elasticsearch"}))
                .hasMessageContaining("--store-elasticsearch-hosts is required");
        assertThatThrownBy(() -> IngestSettings.fromArgs(new String[] {"--store", "elasticsearch",
            "--store-elasticsearch-hosts", "es:9200"})).hasMessageContaining("es:9200");
        assertThatThrownBy(() -> IngestSettings.fromArgs(new String[] {"--store", "qdrant", "--index-dir", "/x"}))
                .hasMessageContaining("qdrant");
    }

    @Test
    void rejectsBadFlagsNamingTheFlag() {
        assertThatThrownBy(() -> IngestSettings.fromArgs(new String[] {"--bootstrap", "k:1"}))
                .hasMessageContaining("--index-dir is required");
        assertThatThrownBy(() -> IngestSettings.fromArgs(new String[] {"--index-dir", "/x", "--shards", "two"}))
                .hasMessageContaining("--shards must be a number, got 'two'");
        assertThatThrownBy(() -> IngestSettings.fromArgs(new String[] {"--index-dir", "/x", "--nope", "1"}))
                .hasMessageContaining("unknown option --nope");
        assertThatThrownBy(() -> IngestSettings.fromArgs(new String[] {"--index-dir"}))
                .hasMessageContaining("--index-dir needs a value");
        assertThatThrownBy(() -> IngestSettings.fromArgs(new String[] {"--index-dir", "/x",
            "--start-from-earliest", "yes"}))
                .hasMessageContaining("--start-from-earliest must be true or false, got 'yes'");
    }

    @Test
    void validatesEachOptionNamingItAndTheBadValue() {
        IngestSettings.Builder b = IngestSettings.builder();
        assertThatThrownBy(() -> b.shardsPerCollection(0)).hasMessage("shardsPerCollection must be > 0, got 0");
        assertThatThrownBy(() -> b.embedThreads(-1)).hasMessage("embedThreads must be > 0, got -1");
        assertThatThrownBy(() -> b.chunkMaxTokens(0)).hasMessage("chunkMaxTokens must be > 0, got 0");
        assertThatThrownBy(() -> b.chunkOverlapTokens(-1)).hasMessage("chunkOverlapTokens must be >= 0, got -1");
        assertThatThrownBy(() -> b.commitIntervalMs(0)).hasMessage("commitIntervalMs must be > 0, got 0");
        assertThatThrownBy(() -> b.maxBatchDocuments(0)).hasMessage("maxBatchDocuments must be > 0, got 0");
        assertThatThrownBy(() -> b.checkpointIntervalMs(5)).hasMessage("checkpointIntervalMs must be >= 10, got 5");
        assertThatThrownBy(() -> b.bootstrapServers(" ")).hasMessageContaining("bootstrapServers must not be blank");
        assertThatThrownBy(() -> b.embeddingModelId("gpt-17")).hasMessageContaining("gpt-17");
        assertThatThrownBy(() -> b.tombstoneRetentionMs(0)).hasMessage("tombstoneRetentionMs must be > 0, got 0");
        assertThatThrownBy(() -> b.maxTextBytes(0)).hasMessage("maxTextBytes must be > 0, got 0");
        assertThatThrownBy(() -> b.embedAttempts(0)).hasMessage("embedAttempts must be > 0, got 0");
        assertThatThrownBy(() -> b.embedRetryBackoffMs(-1)).hasMessage("embedRetryBackoffMs must be >= 0, got -1");
        assertThatThrownBy(() -> b.transactionalIdPrefix("")).hasMessageContaining("transactionalIdPrefix");
    }

    @Test
    void checksRulesBetweenOptionsInBuild() {
        assertThatThrownBy(() -> IngestSettings.builder().indexDir(Path.of("/x")).chunkMaxTokens(32)
                .chunkOverlapTokens(32).build())
                .hasMessage("chunkOverlapTokens must be < chunkMaxTokens (32), got 32");
        assertThatThrownBy(() -> IngestSettings.builder().indexDir(Path.of("/x")).chunkMaxTokens(4096).build())
                .hasMessageContaining("chunkMaxTokens must be <= 510").hasMessageContaining("got 4096");
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        IngestSettings s = IngestSettings.builder().indexDir(Path.of("/data/index")).shardsPerCollection(3)
                .collectionShards(Map.of("big", 8)).build();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        IngestSettings copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (IngestSettings) in.readObject();
        }

        assertThat(copy.toString()).isEqualTo(s.toString());
        assertThat(copy.indexDir()).isEqualTo(Path.of("/data/index"));
        assertThat(copy.collectionShards()).isEqualTo(Map.of("big", 8));
    }

    @Test
    void parsesPerCollectionShardCounts() {
        IngestSettings s = IngestSettings.fromArgs(new String[] {
                "--index-dir", "/x", "--shards", "3", "--collection-shards", "big=8, small-1=1"});

        assertThat(s.shardsPerCollection()).isEqualTo(3);
        assertThat(s.collectionShards()).isEqualTo(Map.of("big", 8, "small-1", 1));
        assertThat(IngestSettings.builder().indexDir(Path.of("/x")).build().collectionShards()).isEmpty();
        assertThat(s.toBuilder().build().collectionShards()).isEqualTo(s.collectionShards());
    }

    @Test
    void rejectsBadPerCollectionShardCountsNamingTheEntry() {
        assertThatThrownBy(() -> parseCollectionShards("big=8,small=0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--collection-shards entry 'small=0': shards must be > 0, got 0");
        assertThatThrownBy(() -> parseCollectionShards("big=eight"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--collection-shards entry 'big=eight': shards must be a number, got 'eight'");
        assertThatThrownBy(() -> parseCollectionShards("big"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'big'").hasMessageContaining("collection=shards");
        assertThatThrownBy(() -> parseCollectionShards("big=2,,small=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got ''");
        assertThatThrownBy(() -> parseCollectionShards("no/slash=2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--collection-shards entry 'no/slash=2'").hasMessageContaining("'no/slash'");
        assertThatThrownBy(() -> parseCollectionShards("big=2,big=3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'big' twice");
        assertThatThrownBy(() -> IngestSettings.builder().collectionShards(Map.of("big", -1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("collectionShards of 'big' must be > 0, got -1");
    }

    private static IngestSettings parseCollectionShards(String value) {
        return IngestSettings.fromArgs(new String[] {"--index-dir", "/x", "--collection-shards", value});
    }
}
