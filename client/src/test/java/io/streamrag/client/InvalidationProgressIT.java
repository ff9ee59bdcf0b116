package io.streamrag.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.schemas.Topics;
import io.streamrag.testkit.EmbeddedKafka;
import io.streamrag.testkit.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code submit --wait} learns about cache invalidation from a real broker: with no invalidation processor
 * running it must say so (nothing evicts cached answers), not report the changes as applied.
 */
class InvalidationProgressIT {
    @TempDir
    Path dir;

    @Test
    void withNoInvalidationProcessorRunningItSaysSoInsteadOfApplied() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), FreePorts.pick(), FreePorts.pick())) {
            TopicPartition partition = new TopicPartition(Topics.INDEX_CHANGES.name(), 0);

            assertThat(InvalidationProgress.awaitApplied(kafka.bootstrapServers(), Map.of(), Map.of(partition, 1L),
                    Duration.ofSeconds(2))).isEqualTo(InvalidationProgress.Outcome.NO_PROCESSOR);
            assertThat(InvalidationProgress.awaitApplied(kafka.bootstrapServers(), Map.of(), Map.of(),
                    Duration.ofSeconds(2)))
                    .as("nothing to wait for").isEqualTo(InvalidationProgress.Outcome.APPLIED);
        }
    }
}
