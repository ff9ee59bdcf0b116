package io.streamrag.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.client.StreamragClient;
import io.streamrag.schemas.DocumentEvents;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.QueryResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev stack keeps documents, offsets and index across a restart on the same data directory. */
class DevStackRestartIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    Path dataDir;

    @Test
    void documentsSubmittedBeforeARestartAreAnsweredAfterIt() throws Exception {
        try (DevStack stack = DevStack.start(new DevSettings(dataDir, 0, 0));
             StreamragClient client = StreamragClient.connect(stack.bootstrapServers(), Duration.ofSeconds(10))) {
            client.sendAndAwaitVisible(List.of(
                    DocumentEvents.upsert("r", "quartz", 1, "Quartz", "Quartz is a hard mineral made of silica.",
                            Map.of(), null),
                    DocumentEvents.upsert("r", "basalt", 1, "Basalt", "Basalt is a dark volcanic rock.", Map.of(),
                            null)), TIMEOUT);
        }

        try (DevStack stack = DevStack.start(new DevSettings(dataDir, 0, 0));
             StreamragClient client = StreamragClient.connect(stack.bootstrapServers(), Duration.ofSeconds(10))) {
            assertThat(firstCitedDoc(client, "What is quartz made of?")).isEqualTo("quartz");

            // the restarted job goes on from where it stopped: a new version replaces the old one
            client.sendAndAwaitVisible(List.of(DocumentEvents.upsert("r", "quartz", 2, "Quartz",
                    "Quartz is a mineral made of silicon dioxide, found in granite.", Map.of(), null)), TIMEOUT);
            QueryResponse response = ask(client, "What is quartz made of?");
            assertThat(response.getCitations()).isNotEmpty();
            assertThat(response.getCitations().get(0).getChunkId()).endsWith("@2");
            assertThat(response.getAnswer()).contains("silicon dioxide");
        }
    }

    private static String firstCitedDoc(StreamragClient client, String question) {
        QueryResponse response = ask(client, question);
        assertThat(response.getCitations()).as(response.toString()).isNotEmpty();
        return response.getCitations().get(0).getDocId();
    }

    private static QueryResponse ask(StreamragClient client, String question) {
        QueryRequest request = QueryRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setCollection("r")
                .setText(question)
                .setTopK(3)
                .setDeadline(Instant.now().plus(TIMEOUT))
                .build();
        return client.ask(request, TIMEOUT);
    }
}
