package io.streamrag.cli;

import io.streamrag.client.StreamragClient;
import io.streamrag.client.VersionClock;
import io.streamrag.core.CollectionNames;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEvents;
import java.time.Duration;
import java.util.List;
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

    @Mixin
    WaitOptions wait;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "Document ids")
    List<String> ids;

    @Override
    public Integer call() {
        CollectionNames.requireValid(collection);
        VersionClock clock = new VersionClock();
        List<DocumentEvent> events = ids.stream().map(id -> DocumentEvents.delete(collection, id, clock.next())).toList();
        try (StreamragClient client = StreamragClient.connect(bootstrap.bootstrap, Duration.ofSeconds(5))) {
            if (wait.enabled) {
                client.sendAndAwaitVisible(events, wait.timeout());
            } else {
                client.send(events);
            }
        }
        spec.commandLine().getOut().println("deleted " + ids.size() + " documents from collection " + collection);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
