package io.streamrag.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.store.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryProcessorConfigTest {
    @TempDir
    Path dir;

    @Test
    void aFileAndTheEnvironmentMakeTheStreamsSettingsWithKafkaPropertiesPassedThrough() throws IOException {
        Path file = Files.writeString(dir.resolve("query.properties"), String.join("\n",
                "bootstrap.servers=broker-1:9092,broker-2:9092",
                "index.dir=/srv/index",
                "num.stream.threads=4",
                "kafka.security.protocol=SASL_SSL",
                "kafka.sasl.mechanism=PLAIN"));

        QueryProcessorConfig config = QueryProcessorConfig.load(file, Map.of(
                "STREAMRAG_QUERY_COMMIT_INTERVAL_MS", "50",
                "STREAMRAG_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule "
                        + "required username=\"u\" password=\"p\";"));
        QueryStreamsSettings settings = config.streamsSettings();
        Properties props = settings.toStreamsProperties();

        assertThat(settings.bootstrapServers()).isEqualTo("broker-1:9092,broker-2:9092");
        assertThat(settings.numStreamThreads()).isEqualTo(4);
        assertThat(settings.commitInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(props).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsKey("sasl.jaas.config")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(config.getString(QueryProcessorConfig.INDEX_DIR)).isEqualTo("/srv/index");
    }

    @Test
    void aKafkaPropertyThatTheProcessorOwnsIsRefused() {
        QueryProcessorConfig config = QueryProcessorConfig.load(null, Map.of(
                "STREAMRAG_BOOTSTRAP_SERVERS", "localhost:9092", "STREAMRAG_INDEX_DIR", "index",
                "STREAMRAG_KAFKA_PROCESSING_GUARANTEE", "at_least_once"));

        assertThatThrownBy(() -> config.streamsSettings().toStreamsProperties())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("processing.guarantee").hasMessageContaining("set by the processor");
    }

    @Test
    void requiredKeysAndBadValuesAreNamed() {
        assertThatThrownBy(() -> QueryProcessorConfig.load(null, Map.of("STREAMRAG_INDEX_DIR", "index")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bootstrap.servers");
        assertThatThrownBy(() -> QueryProcessorConfig.load(null, Map.of(
                "STREAMRAG_BOOTSTRAP_SERVERS", "localhost:9092", "STREAMRAG_INDEX_DIR", "index",
                "STREAMRAG_NUM_STREAM_THREADS", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("num.stream.threads");
        assertThatThrownBy(() -> QueryProcessorConfig.load(null, Map.of(
                "STREAMRAG_BOOTSTRAP_SERVERS", "localhost:9092", "STREAMRAG_INDEX_DIR", "index",
                "STREAMRAG_RERANKER", "magic")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("reranker").hasMessageContaining("magic");
    }

    @Test
    void theStoreKeySelectsTheStoreAndEachStoreNeedsItsLocation() {
        Map<String, String> base = Map.of("bootstrap.servers", "localhost:9092");
        assertThat(QueryProcessorConfig.load(base, null, Map.of("STREAMRAG_INDEX_DIR", "index"))
                .storeSettings().kind()).isEqualTo(StoreSettings.Kind.LUCENE);
        assertThatThrownBy(() -> QueryProcessorConfig.load(base, null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index.dir");

        QueryProcessorConfig elasticsearch = QueryProcessorConfig.load(base, null, Map.of(
                "STREAMRAG_STORE", "elasticsearch",
                "STREAMRAG_STORE_ELASTICSEARCH_HOSTS", "http://127.0.0.1:9200,http://127.0.0.1:9201"));
        assertThat(elasticsearch.storeSettings().kind()).isEqualTo(StoreSettings.Kind.ELASTICSEARCH);
        assertThat(elasticsearch.storeSettings().toString()).contains("http://127.0.0.1:9201", "streamrag-*");
        assertThatThrownBy(() -> QueryProcessorConfig.load(base, null, Map.of("STREAMRAG_STORE", "elasticsearch")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("store.elasticsearch.hosts");
        assertThatThrownBy(() -> QueryProcessorConfig.load(base, null, Map.of("STREAMRAG_STORE", "elasticsearch",
                "STREAMRAG_STORE_ELASTICSEARCH_HOSTS", "127.0.0.1:9200")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("127.0.0.1:9200");
        assertThatThrownBy(() -> QueryProcessorConfig.load(base, null, Map.of("STREAMRAG_STORE", "qdrant")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("qdrant");
    }

    @Test
    void anLlmUrlNeedsAModelAndARerankerItsLocation() {
        Map<String, String> base = Map.of("bootstrap.servers", "localhost:9092", "index.dir", "index");

        assertThatThrownBy(() -> QueryProcessorConfig.load(base, null,
                Map.of("STREAMRAG_LLM_BASE_URL", "http://llm:8000/v1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("llm.model");
        assertThatThrownBy(() -> QueryProcessorConfig.load(base, null, Map.of("STREAMRAG_RERANKER", "http")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reranker.url");
        assertThat(QueryProcessorConfig.load(base, null, Map.of("STREAMRAG_LLM_BASE_URL", "http://a/v1,http://b/v1",
                "STREAMRAG_LLM_MODEL", "m", "OPENAI_API_KEY", "sk-test")).llmApiKey()).isEqualTo("sk-test");
    }
}
