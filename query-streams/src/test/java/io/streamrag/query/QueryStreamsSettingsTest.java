package io.streamrag.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class QueryStreamsSettingsTest {

    @Test
    void hasTheDocumentedDefaults() {
        QueryStreamsSettings settings = QueryStreamsSettings.builder().bootstrapServers("k:9092").build();

        assertThat(settings.applicationId()).isEqualTo("streamrag-query");
        assertThat(settings.numStreamThreads()).isEqualTo(16);
        assertThat(settings.queriesTopic()).isEqualTo(Topics.QUERIES.name()).isEqualTo("rag.queries");
        assertThat(settings.responsesTopic()).isEqualTo(Topics.RESPONSES.name()).isEqualTo("rag.responses");
        assertThat(settings.deadLetterTopic()).isEqualTo(Topics.QUERIES_DLQ.name()).isEqualTo("rag.queries.dlq");
        assertThat(settings.maxQuestionChars()).isEqualTo(4000);
        assertThat(settings.defaultTopK()).isEqualTo(5);
        assertThat(settings.commitInterval()).isEqualTo(Duration.ofMillis(20));
        assertThat(settings.closeTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.stateDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams"));
    }

    @Test
    void streamsPropertiesAreExactlyOnceWithALowCommitInterval() {
        Properties props = QueryStreamsSettings.builder()
                .bootstrapServers("k:9092")
                .applicationId("q-test")
                .stateDir(Path.of("/var/lib/q"))
                .numStreamThreads(3)
                .commitInterval(Duration.ofMillis(50))
                .sessionTimeout(Duration.ofSeconds(9))
                .build()
                .toStreamsProperties();

        StreamsConfig config = new StreamsConfig(props); // also proves Kafka accepts every value
        assertThat(config.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
                .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(50L);
        assertThat(config.getList(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).containsExactly("k:9092");
        assertThat(config.getString(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("q-test");
        assertThat(config.getString(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo(Path.of("/var/lib/q").toString());
        assertThat(config.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(3);
        // a crashed instance's partitions move after the session timeout, heartbeats every third of it
        Map<String, Object> consumer = config.getMainConsumerConfigs("q-test", "c", 0);
        assertThat(consumer).containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 9000)
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3000);
        assertThat(props).containsKeys(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG,
                StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG);
    }

    @Test
    void rejectsBadValuesNamingTheOptionAndTheValue() {
        QueryStreamsSettings.Builder b = QueryStreamsSettings.builder();
        assertThatThrownBy(() -> b.numStreamThreads(0)).hasMessage("numStreamThreads must be > 0, got 0");
        assertThatThrownBy(() -> b.maxQuestionChars(-1)).hasMessage("maxQuestionChars must be > 0, got -1");
        assertThatThrownBy(() -> b.defaultTopK(0)).hasMessage("defaultTopK must be > 0, got 0");
        assertThatThrownBy(() -> b.bootstrapServers(" ")).hasMessageContaining("bootstrapServers must not be blank");
        assertThatThrownBy(() -> b.applicationId(null)).hasMessageContaining("applicationId must not be blank");
        assertThatThrownBy(() -> b.commitInterval(Duration.ZERO)).hasMessageContaining("commitInterval must be > 0");
        assertThatThrownBy(() -> b.closeTimeout(Duration.ofSeconds(-1))).hasMessageContaining("closeTimeout");
        assertThatThrownBy(() -> b.sessionTimeout(Duration.ofSeconds(5)))
                .hasMessageContaining("sessionTimeout must be >= 6 s").hasMessageContaining("PT5S");
    }

    @Test
    void requiresBootstrapServersAndDistinctTopics() {
        assertThatThrownBy(() -> QueryStreamsSettings.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("bootstrapServers must be set");
        assertThatThrownBy(() -> QueryStreamsSettings.builder().bootstrapServers("k:9092")
                .responsesTopic("rag.queries").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("must differ");
    }
}
