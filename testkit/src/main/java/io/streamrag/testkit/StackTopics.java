package io.streamrag.testkit;

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

/**
 * Creates the topics a streamrag stack needs, with the partitions and configs declared on {@link Topics}, on any
 * Kafka cluster.
 */
public final class StackTopics {

    private StackTopics() {
    }

    /**
     * The stack's topics as the admin client creates them.
     *
     * @param queryPartitions partitions of rag.queries and rag.responses (one query stream thread each)
     * @param replication     replicas of every topic (1 on a single broker, 3 on the local cluster)
     * @param minInsyncReplicas {@code min.insync.replicas} of every topic; 0 keeps the broker's default
     */
    public static List<NewTopic> all(int queryPartitions, short replication, int minInsyncReplicas) {
        if (queryPartitions <= 0) {
            throw new IllegalArgumentException("queryPartitions must be > 0, got " + queryPartitions);
        }
        if (replication <= 0) {
            throw new IllegalArgumentException("replication must be > 0, got " + replication);
        }
        Set<String> queryTopics = Set.of(Topics.QUERIES.name(), Topics.RESPONSES.name());
        return Topics.ALL.stream().map(topic -> {
            int partitions = queryTopics.contains(topic.name()) ? queryPartitions : topic.partitions();
            Map<String, String> configs = new HashMap<>(topic.configs());
            if (minInsyncReplicas > 0) {
                configs.put("min.insync.replicas", Integer.toString(minInsyncReplicas));
            }
            return new NewTopic(topic.name(), partitions, replication).configs(configs);
        }).toList();
    }

    /** {@link #all(int, short, int)} on a single broker. */
    public static List<NewTopic> all(int queryPartitions) {
        return all(queryPartitions, (short) 1, 0);
    }

    /**
     * Creates the topics that are missing, and adds partitions to an existing rag.queries or rag.responses that has
     * fewer than asked (a stack created with fewer query partitions: these topics carry no key affinity, so growing
     * them is safe, unlike the document log's). Never removes partitions.
     */
    public static void createMissing(Admin admin, List<NewTopic> topics) throws InterruptedException {
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
