package io.streamrag.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourcesTest {
    private static final ConfigDef DEF = new ConfigDef()
            .define("redis.url", Type.STRING, "redis://default", Importance.HIGH, "redis")
            .define("index.dir", Type.STRING, "", Importance.HIGH, "index")
            .define("commit.interval.ms", Type.LONG, 20L, Importance.LOW, "commit");

    @TempDir
    Path dir;

    @Test
    void theEnvironmentWinsOverTheFileWhichWinsOverTheBase() throws IOException {
        Path file = write("redis.url=redis://file\nindex.dir=/from/file\n");

        Map<String, String> values = ConfigSources.load(DEF, Map.of("index.dir", "/base", "commit.interval.ms", "5"),
                file, Map.of("STREAMRAG_REDIS_URL", "redis://env"), Map.of());

        assertThat(values).containsEntry("redis.url", "redis://env").containsEntry("index.dir", "/from/file")
                .containsEntry("commit.interval.ms", "5");
    }

    @Test
    void aliasesSetAKeyButTheStreamragNameWins() {
        Map<String, List<String>> aliases = Map.of("redis.url", List.of("REDIS_URL"),
                "commit.interval.ms", List.of("STREAMRAG_QUERY_COMMIT_INTERVAL_MS"));

        Map<String, String> aliasOnly = ConfigSources.load(DEF, Map.of(), null,
                Map.of("REDIS_URL", "redis://alias", "STREAMRAG_QUERY_COMMIT_INTERVAL_MS", " 7 "), aliases);
        Map<String, String> both = ConfigSources.load(DEF, Map.of(), null,
                Map.of("REDIS_URL", "redis://alias", "STREAMRAG_REDIS_URL", "redis://canonical"), aliases);

        assertThat(aliasOnly).containsEntry("redis.url", "redis://alias").containsEntry("commit.interval.ms", "7");
        assertThat(both).containsEntry("redis.url", "redis://canonical");
    }

    @Test
    void kafkaPropertiesPassThroughFromTheFileAndTheEnvironment() throws IOException {
        Path file = write("kafka.security.protocol=SASL_SSL\nkafka.sasl.mechanism=PLAIN\n");

        Map<String, String> values = ConfigSources.load(DEF, Map.of(), file, Map.of(
                "STREAMRAG_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "STREAMRAG_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/truststore.p12"), Map.of());

        assertThat(ConfigSources.kafkaProperties(values)).containsOnly(
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("ssl.truststore.location", "/etc/kafka/truststore.p12"));
    }

    @Test
    void anUnknownKeyInTheFileIsRefusedWithTheValidKeys() throws IOException {
        Path file = write("redis.ur=redis://typo\n");

        assertThatThrownBy(() -> ConfigSources.load(DEF, Map.of(), file, Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown key 'redis.ur'").hasMessageContaining("redis.url");
    }

    @Test
    void unknownStreamragVariablesAreIgnoredAndBlankOnesUnset() {
        Map<String, String> values = ConfigSources.load(DEF, Map.of(), null,
                Map.of("STREAMRAG_JAVA_OPTS", "-Xmx1g", "STREAMRAG_REDIS_URL", "  "), Map.of());

        assertThat(values).isEmpty();
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.properties");

        assertThatThrownBy(() -> ConfigSources.load(DEF, Map.of(), missing, Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void environmentNamesFollowTheKey() {
        assertThat(ConfigSources.envName("llm.base.url")).isEqualTo("STREAMRAG_LLM_BASE_URL");
        assertThat(ConfigSources.envName("default.top-k")).isEqualTo("STREAMRAG_DEFAULT_TOP_K");
    }

    private Path write(String content) throws IOException {
        return Files.writeString(dir.resolve("app.properties"), content);
    }
}
