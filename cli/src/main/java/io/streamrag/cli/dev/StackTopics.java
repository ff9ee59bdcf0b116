package io.streamrag.cli.dev;

import io.streamrag.schemas.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/** The topics a streamrag stack needs, with their partitioning and retention, created if missing. */
final class StackTopics {
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

    static void createMissing(Admin admin, List<NewTopic> topics) throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the stack's topics: " + e.getMessage(), e);
        }
    }
}
