package io.streamrag.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Collection;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** The job graph that {@link IngestJob#start} submits, built without a broker and without running it. */
class IngestJobTest {

    @Test
    void everyOperatorOfTheKafkaJobHasANameAndAStableUid() {
        StreamGraph graph = kafkaJobGraph();

        Collection<StreamNode> nodes = graph.getStreamNodes();
        assertThat(nodes).allSatisfy(node -> {
            assertThat(node.getOperatorName()).as("name of node %s", node.getId()).isNotBlank();
            assertThat(node.getTransformationUID()).as("uid of %s", node.getOperatorName()).isNotBlank();
        });
        assertThat(nodes).extracting(StreamNode::getTransformationUID)
                .contains("documents", "decode", "version-guard", "chunk-embed", "store-writer", "index-changes",
                        "dead-letter", "dead-letters", "control-events")
                .doesNotHaveDuplicates();
    }

    @Test
    void theStoreWriterAndTheSinkRunAlone() {
        StreamGraph graph = kafkaJobGraph();

        StreamNode writer = graph.getStreamNodes().stream()
                .filter(n -> "store-writer".equals(n.getTransformationUID())).findFirst().orElseThrow();
        assertThat(writer.getParallelism()).isEqualTo(1);
        assertThat(writer.getMaxParallelism()).isEqualTo(1);
        assertThat(graph.getStreamNodes()).filteredOn(n -> n.getOperatorName().contains("index-changes"))
                .isNotEmpty()
                .allSatisfy(n -> assertThat(n.getParallelism()).isEqualTo(1));
    }

    @Test
    void checkpointsAlignedAtTheConfiguredInterval() {
        StreamGraph graph = kafkaJobGraph();

        assertThat(graph.getCheckpointConfig().isCheckpointingEnabled()).isTrue();
        assertThat(graph.getCheckpointConfig().getCheckpointInterval()).isEqualTo(1234);
        assertThat(graph.getCheckpointConfig().getCheckpointingConsistencyMode())
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
    }

    private static StreamGraph kafkaJobGraph() {
        IngestSettings settings = IngestSettings.builder()
                .indexDir(Path.of("unused-index"))
                .bootstrapServers("localhost:1")
                .checkpointIntervalMs(1234)
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(3);
        IngestJob.defineKafkaJob(env, settings);
        return env.getStreamGraph();
    }
}
