package io.streamrag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.client.InvalidationProgress;
import io.streamrag.core.CollectionNames;
import io.streamrag.invalidation.InvalidationSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Commands against a stack that is not running fail with one line, not a hang or a stack trace. */
class UnreachableStackTest {

    @Test
    void askFailsWithOneLineWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Streamrag.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "ask", "--bootstrap", "localhost:" + port, "--collection", "c", "anything?");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("streamrag: cannot reach Kafka at localhost:" + port)
                .contains("streamrag dev").doesNotContain("\n");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void submitReportsMissingFilesWithoutConnecting() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Streamrag.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "submit", "--collection", "c", "/nonexistent/file.jsonl");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("/nonexistent/file.jsonl").contains("no documents to submit");
    }

    @Test
    void submitRefusesAnInvalidCollectionNameAtOnceWithTheRule() throws IOException {
        Path file = Files.createTempFile("doc", ".md");
        Files.writeString(file, "# A document\nwith some text.");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        // nothing listens on this address: the name must be refused before any connection is tried
        int code = Streamrag.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "submit", "--bootstrap", "localhost:1", "--collection", "My Docs!", "--wait", file.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("streamrag: invalid collection name 'My Docs!': "
                + CollectionNames.RULE);
        assertThat(out.toString()).isEmpty();
        Files.delete(file);
    }

    @Test
    void theClientWaitsForTheInvalidationProcessorsDefaultGroup() {
        assertThat(InvalidationProgress.GROUP).isEqualTo(InvalidationSettings.DEFAULT_APPLICATION_ID);
    }
}
