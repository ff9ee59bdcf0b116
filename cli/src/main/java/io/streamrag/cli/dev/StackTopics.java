package io.streamrag.cli.dev;

import io.streamrag.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;

/** The topics a streamrag stack needs, with their partitioning and retention, created if missing. */
final class StackTopics {
    /** Overrides {@link #DEFAULT_QUERY_PARTITIONS}; the query processor runs one stream thread per partition. */
    static final String ENV_QUERY_PARTITIONS = "STREAMRAG_QUERY_PARTITIONS";
    /**
     * Partitions of rag.queries and rag.responses, and stream threads of the query processor. A thread blocks on
     * one LLM call at a time, so the processor answers at most partitions / LLM latency queries per second (16 at
     * 200 ms: 80/s). Each thread costs a consumer and, under exactly_once_v2, a transactional producer (a few MiB
     * while in use) and a transaction per commit, so this stays well below hundreds.
     */
    static final int DEFAULT_QUERY_PARTITIONS = 16;
    private static final short REPLICATION = 1;

    private StackTopics() {
    }

    static List<NewTopic> all(int queryPartitions) {
        return List.of(
                // the system of record: compacted, so the latest version of every document is kept forever
                new NewTopic(Topics.DOCUMENTS.name(), 4, REPLICATION).configs(Map.of(
                        "cleanup.policy", "compact", "max.message.bytes", String.valueOf(8 * 1024 * 1024))),
                new NewTopic(Topics.DOCUMENTS_DLQ.name(), 1, REPLICATION).configs(Map.of(
                        "max.message.bytes", String.valueOf(8 * 1024 * 1024))),
                new NewTopic(Topics.INDEX_CHANGES.name(), 1, REPLICATION),
                new NewTopic(Topics.QUERIES.name(), queryPartitions, REPLICATION),
                new NewTopic(Topics.RESPONSES.name(), queryPartitions, REPLICATION),
                new NewTopic(Topics.QUERIES_DLQ.name(), 1, REPLICATION),
                new NewTopic(Topics.CONTROL.name(), 1, REPLICATION));
    }

    /**
     * The query partition count: {@value #ENV_QUERY_PARTITIONS} where {@code env} sets it, else
     * {@value #DEFAULT_QUERY_PARTITIONS}.
     *
     * @throws IllegalArgumentException if the variable is not a positive integer
     */
    static int queryPartitions(Map<String, String> env) {
        return Environment.positiveInt(env, ENV_QUERY_PARTITIONS, DEFAULT_QUERY_PARTITIONS);
    }

    /**
     * Creates the topics that are missing, and adds partitions to an existing rag.queries or rag.responses that has
     * fewer than asked (a stack created with fewer query partitions: these topics carry no key affinity, so growing
     * them is safe, unlike the document log's). Never removes partitions.
     */
    static void createMissing(Admin admin, List<NewTopic> topics) throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
            Set<String> growable = Set.of(Topics.QUERIES.name(), Topics.RESPONSES.name());
            List<NewTopic> present = topics.stream()
                    .filter(t -> existing.contains(t.name()) && growable.contains(t.name())).toList();
            if (present.isEmpty()) {
                return;
            }
            Map<String, TopicDescription> described = admin.describeTopics(
                    present.stream().map(NewTopic::name).toList()).allTopicNames().get(30, TimeUnit.SECONDS);
            Map<String, NewPartitions> grow = new HashMap<>();
            for (NewTopic topic : present) {
                if (described.get(topic.name()).partitions().size() < topic.numPartitions()) {
                    grow.put(topic.name(), NewPartitions.increaseTo(topic.numPartitions()));
                }
            }
            if (!grow.isEmpty()) {
                admin.createPartitions(grow).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the stack's topics: " + e.getMessage(), e);
        }
    }
}
