package io.streamrag.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.schemas.Topics;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class StackTopicsTest {

    @Test
    void queryAndResponseTopicsGetTheQueryPartitionCount() {
        Map<String, Integer> partitions = StackTopics.all(16).stream()
                .collect(Collectors.toMap(NewTopic::name, NewTopic::numPartitions));

        assertThat(partitions).containsEntry(Topics.QUERIES.name(), 16).containsEntry(Topics.RESPONSES.name(), 16)
                .containsEntry(Topics.DOCUMENTS.name(), 4);
    }

    @Test
    void queryPartitionsDefaultToSixteenAndFollowTheEnvironment() {
        assertThat(StackTopics.queryPartitions(Map.of())).isEqualTo(StackTopics.DEFAULT_QUERY_PARTITIONS)
                .isEqualTo(16);
        assertThat(StackTopics.queryPartitions(Map.of(StackTopics.ENV_QUERY_PARTITIONS, " 32 "))).isEqualTo(32);
        assertThat(StackTopics.queryPartitions(Map.of(StackTopics.ENV_QUERY_PARTITIONS, ""))).isEqualTo(16);
    }

    @Test
    void badQueryPartitionsNameTheVariable() {
        assertThatThrownBy(() -> StackTopics.queryPartitions(Map.of(StackTopics.ENV_QUERY_PARTITIONS, "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STREAMRAG_QUERY_PARTITIONS")
                .hasMessageContaining("'0'");
        assertThatThrownBy(() -> StackTopics.queryPartitions(Map.of(StackTopics.ENV_QUERY_PARTITIONS, "many")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'many'");
    }
}
