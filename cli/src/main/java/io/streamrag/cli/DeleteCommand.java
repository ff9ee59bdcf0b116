package io.streamrag.cli;

import io.streamrag.cli.client.IndexChangeWatcher;
import io.streamrag.cli.client.StreamragClient;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEvents;
import io.streamrag.schemas.Topics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code streamrag delete}: removes documents from a collection. */
@Command(name = "delete", description = "Delete documents by id.")
final class DeleteCommand implements Callable<Integer> {
    @Mixin
    BootstrapOption bootstrap;

    @Spec
    CommandSpec spec;

    @Option(names = "--collection", required = true, description = "Collection to delete from")
    String collection;

    @Option(names = "--wait", description = "Return when the deletes are visible to searches")
    boolean waitForIndex;

    @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS",
            description = "How long --wait waits (default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "Document ids")
    List<String> ids;

    @Override
    public Integer call() {
        VersionClock clock = new VersionClock();
        Map<String, Long> expected = new LinkedHashMap<>();
        List<DocumentEvent> events = ids.stream().map(id -> {
            DocumentEvent event = DocumentEvents.delete(collection, id, clock.next());
            expected.put(Topics.documentKey(collection, id), event.getVersion());
            return event;
        }).toList();
        try (StreamragClient client = StreamragClient.connect(bootstrap.bootstrap, Duration.ofSeconds(5))) {
            if (waitForIndex) {
                try (IndexChangeWatcher watcher = client.watchIndexChanges()) {
                    client.send(events);
                    watcher.awaitVersions(expected, Duration.ofSeconds(timeoutSeconds));
                }
            } else {
                client.send(events);
            }
        }
        spec.commandLine().getOut().println("deleted " + ids.size() + " documents from collection " + collection);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
