package io.streamrag.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.schemas.Topics;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalClusterOptionsTest {

    @Test
    void defaultsAreTheDocumentedPortsAndDirectory() {
        LocalClusterOptions options = LocalClusterOptions.parse("up");

        assertThat(options.command()).isEqualTo("up");
        assertThat(options.dir()).isEqualTo(Path.of(".streamrag", "local-cluster").toAbsolutePath());
        assertThat(options.kafkaPort()).isEqualTo(19092);
        assertThat(options.redisPort()).isEqualTo(16379);
        assertThat(options.queryPartitions()).isEqualTo(Topics.DEFAULT_QUERY_PARTITIONS);
    }

    @Test
    void optionsAndTheNameOfTheProcessToRestartAreRead() {
        LocalClusterOptions options = LocalClusterOptions.parse("restart", "kafka-2", "--dir", "/x/y", "--kafka-port",
                "29092", "--redis-port", "26379", "--query-partitions", "4");

        assertThat(options.processName()).isEqualTo("kafka-2");
        assertThat(options.dir()).isEqualTo(Path.of("/x/y"));
        assertThat(options.kafkaPort()).isEqualTo(29092);
        assertThat(options.redisPort()).isEqualTo(26379);
        assertThat(options.queryPartitions()).isEqualTo(4);
    }

    @Test
    void badArgumentsNameTheOptionAndTheValue() {
        assertThatThrownBy(() -> LocalClusterOptions.parse()).hasMessageContaining("usage");
        assertThatThrownBy(() -> LocalClusterOptions.parse("start")).hasMessageContaining("'start'");
        assertThatThrownBy(() -> LocalClusterOptions.parse("up", "--kafka-port", "70000"))
                .hasMessageContaining("--kafka-port").hasMessageContaining("70000");
        assertThatThrownBy(() -> LocalClusterOptions.parse("up", "--redis-port", "six"))
                .hasMessageContaining("--redis-port").hasMessageContaining("six");
        assertThatThrownBy(() -> LocalClusterOptions.parse("up", "--brokers", "5")).hasMessageContaining("--brokers");
        assertThatThrownBy(() -> LocalClusterOptions.parse("up", "--dir")).hasMessageContaining("--dir needs a value");
        assertThatThrownBy(() -> LocalClusterOptions.parse("restart", "--dir", "x"))
                .hasMessageContaining("restart needs the name");
    }
}
