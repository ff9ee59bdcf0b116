package io.streamrag.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.cli.client.StreamragClient;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEvents;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.QueryResponse;
import io.streamrag.schemas.Topics;
import io.streamrag.testkit.TestKafkaClients;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev stack keeps documents, offsets and job state across a restart on the same data directory.
 *
 * <p>Job state is checked by what only it can reject: after the restart an older version and a duplicate of
 * versions indexed before it are resent. With the version guard's state restored from the retained checkpoint,
 * neither is written or announced again, and every docId@version is announced exactly once across both runs.
 * With the state lost (the job started without its checkpoint, from the group's committed offsets, which trail
 * the last checkpoint), versions are announced twice: the duplicate, and whatever the job replays.
 */
class DevStackRestartIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String COLLECTION = "r";
    private static final AvroCodec<IndexChange> CHANGES = AvroCodec.of(IndexChange.class);

    @TempDir
    Path dataDir;

    @Test
    void documentsOffsetsAndVersionGuardStateSurviveARestart() throws Exception {
        try (DevStack stack = DevStack.start(new DevSettings(dataDir, 0, 0));
             StreamragClient client = StreamragClient.connect(stack.bootstrapServers(), Duration.ofSeconds(10))) {
            client.sendAndAwaitVisible(List.of(
                    quartz(1, "Quartz is a hard mineral made of silica."),
                    basalt(1)), TIMEOUT);
            client.sendAndAwaitVisible(List.of(
                    quartz(2, "Quartz is a mineral made of silicon dioxide, found in granite.")), TIMEOUT);
        }

        try (DevStack stack = DevStack.start(new DevSettings(dataDir, 0, 0));
             StreamragClient client = StreamragClient.connect(stack.bootstrapServers(), Duration.ofSeconds(10));
             KafkaConsumer<byte[], byte[]> changes = TestKafkaClients.readCommittedConsumer(
                     stack.bootstrapServers(), "restart-it", Topics.INDEX_CHANGES.name())) {
            QueryResponse before = ask(client, "What is quartz made of?");
            assertThat(before.getCitations()).as(before.toString()).isNotEmpty();
            assertThat(before.getCitations().get(0).getDocId()).isEqualTo("quartz");
            assertThat(before.getCitations().get(0).getChunkId()).endsWith("@2");

            // only the restored version guard rejects these: quartz@1 is older than the indexed @2, basalt@1 a duplicate
            client.send(List.of(quartz(1, "Quartz is a hard mineral made of silica."), basalt(1)));
            // then a new version of each: same key, same partition, so both resends were processed before these
            client.sendAndAwaitVisible(List.of(
                    quartz(3, "Quartz is a mineral made of silicon dioxide; it makes sand and glass."),
                    basalt(2)), TIMEOUT);

            Map<String, Integer> announced = readAnnouncements(changes, Set.of("quartz@3", "basalt@2"));
            assertThat(announced).as("times each docId@version was announced, across both runs")
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            "quartz@1", 1, "quartz@2", 1, "quartz@3", 1, "basalt@1", 1, "basalt@2", 1));

            QueryResponse after = ask(client, "What is quartz made of?");
            assertThat(after.getCitations()).as(after.toString()).isNotEmpty();
            assertThat(after.getCitations().get(0).getChunkId()).endsWith("@3");
            assertThat(after.getAnswer()).contains("silicon dioxide");
        }
    }

    private static DocumentEvent quartz(long version, String text) {
        return DocumentEvents.upsert(COLLECTION, "quartz", version, "Quartz", text, Map.of(), null);
    }

    private static DocumentEvent basalt(long version) {
        return DocumentEvents.upsert(COLLECTION, "basalt", version, "Basalt",
                "Basalt is a dark volcanic rock (edition " + version + ").", Map.of(), null);
    }

    /**
     * Reads rag.index-changes from the start until every one of {@code last} came: each is the newest version of
     * its document, so every earlier announcement of that document (same key, same partition) was read before it.
     *
     * @return docId@version → times announced
     */
    private static Map<String, Integer> readAnnouncements(KafkaConsumer<byte[], byte[]> changes, Set<String> last) {
        Map<String, Integer> announced = new TreeMap<>();
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (!announced.keySet().containsAll(last) && Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<byte[], byte[]> record : changes.poll(Duration.ofMillis(200))) {
                IndexChange change = CHANGES.decode(record.value());
                if (COLLECTION.equals(change.getCollection())) {
                    announced.merge(change.getDocId() + "@" + change.getVersion(), 1, Integer::sum);
                }
            }
        }
        assertThat(announced.keySet()).as("announcements read within %s", TIMEOUT).containsAll(last);
        return announced;
    }

    private static QueryResponse ask(StreamragClient client, String question) {
        QueryRequest request = QueryRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setCollection(COLLECTION)
                .setText(question)
                .setTopK(3)
                .setDeadline(Instant.now().plus(TIMEOUT))
                .build();
        return client.ask(request, TIMEOUT);
    }
}
