package io.streamrag.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Collection;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.runtime.partitioner.CustomPartitionerWrapper;
import org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner;
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
                        "dead-letter", "dead-letters", "control-dedupe", "control-events")
                .doesNotHaveDuplicates();
    }

    @Test
    void theStoreWritersAndTheirSinkRunAtTheJobsParallelismFedByShard() {
        StreamGraph graph = kafkaJobGraph();

        StreamNode writer = node(graph, "store-writer");
        assertThat(writer.getParallelism()).isEqualTo(3);
        assertThat(writer.getInEdges()).singleElement().satisfies(edge -> assertThat(edge.getPartitioner())
                .isInstanceOf(CustomPartitionerWrapper.class));
        // the index-changes sink (its writer and committer) runs beside the store writers, fed forward
        assertThat(graph.getStreamNodes()).filteredOn(n -> n.getOperatorName().contains("index-changes"))
                .isNotEmpty()
                .allSatisfy(n -> assertThat(n.getParallelism()).isEqualTo(3));
        assertThat(writer.getOutEdges()).filteredOn(e -> e.getTargetId() == node(graph, "index-changes").getId())
                .singleElement().satisfies(edge -> assertThat(edge.getPartitioner())
                        .isInstanceOf(ForwardPartitioner.class));
        assertThat(node(graph, "control-dedupe").getParallelism()).isEqualTo(1);
    }

    private static StreamNode node(StreamGraph graph, String uid) {
        return graph.getStreamNodes().stream()
                .filter(n -> uid.equals(n.getTransformationUID())).findFirst().orElseThrow();
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
