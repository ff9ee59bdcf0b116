package io.streamrag.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.schemas.Topics;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class StackTopicsTest {

    @Test
    void queryAndResponseTopicsGetTheQueryPartitionCountTheOthersTheirDeclaredOnes() {
        Map<String, Integer> partitions = StackTopics.all(8).stream()
                .collect(Collectors.toMap(NewTopic::name, NewTopic::numPartitions));

        assertThat(partitions).containsEntry(Topics.QUERIES.name(), 8).containsEntry(Topics.RESPONSES.name(), 8)
                .containsEntry(Topics.DOCUMENTS.name(), Topics.DOCUMENTS.partitions())
                .containsEntry(Topics.INDEX_CHANGES.name(), 1)
                .hasSize(Topics.ALL.size());
    }

    @Test
    void theDocumentLogIsCompactedAndKeptForever() {
        NewTopic documents = byName(StackTopics.all(16)).get(Topics.DOCUMENTS.name());

        assertThat(documents.configs()).containsEntry("cleanup.policy", "compact").containsEntry("retention.ms", "-1");
    }

    @Test
    void replicationAndMinInsyncReplicasApplyToEveryTopic() {
        assertThat(StackTopics.all(4, (short) 3, 2)).allSatisfy(topic -> {
            assertThat(topic.replicationFactor()).isEqualTo((short) 3);
            assertThat(topic.configs()).containsEntry("min.insync.replicas", "2");
        });
        assertThat(StackTopics.all(4)).allSatisfy(topic ->
                assertThat(topic.configs()).doesNotContainKey("min.insync.replicas"));
    }

    @Test
    void badCountsNameTheParameter() {
        assertThatThrownBy(() -> StackTopics.all(0)).hasMessageContaining("queryPartitions").hasMessageContaining("0");
        assertThatThrownBy(() -> StackTopics.all(4, (short) 0, 0)).hasMessageContaining("replication");
    }

    private static Map<String, NewTopic> byName(java.util.List<NewTopic> topics) {
        return topics.stream().collect(Collectors.toMap(NewTopic::name, Function.identity()));
    }
}
