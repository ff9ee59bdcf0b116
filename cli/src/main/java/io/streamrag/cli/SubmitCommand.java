package io.streamrag.cli;

import io.streamrag.cli.client.StreamragClient;
import io.streamrag.core.corpus.DocumentFiles;
import io.streamrag.core.corpus.SourceDocument;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEvents;
import io.streamrag.schemas.IndexChange;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code streamrag submit}: sends documents from files to rag.documents. */
@Command(name = "submit", description = "Submit documents from JSONL, Markdown or text files.")
final class SubmitCommand implements Callable<Integer> {
    @Mixin
    BootstrapOption bootstrap;

    @Spec
    CommandSpec spec;

    @Option(names = "--collection", required = true, description = "Collection to add the documents to")
    String collection;

    @Mixin
    WaitOptions wait;

    @Option(names = "--max-chars", defaultValue = "5000000", paramLabel = "N",
            description = "Reject documents with more text than this (default: ${DEFAULT-VALUE})")
    long maxChars;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "JSONL (.jsonl, .jsonl.gz), Markdown or text files")
    List<Path> paths;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DocumentFiles.ReadResult read = new DocumentFiles(maxChars).read(paths);
        read.problems().forEach(p -> err.println("skipped " + p));
        if (read.documents().isEmpty()) {
            throw new CommandFailedException("no documents to submit in " + paths);
        }
        try (StreamragClient client = StreamragClient.connect(bootstrap.bootstrap, Duration.ofSeconds(5))) {
            Outcome outcome = submit(client, collection, read.documents(), new VersionClock(), wait.enabled,
                    wait.timeout());
            out.println("submitted " + read.documents().size() + " documents to collection " + collection);
            if (wait.enabled) {
                out.println(outcome.describe());
            }
        }
        out.flush();
        return read.problems().isEmpty() ? 0 : 1;
    }

    /** What a submission achieved; timings only when it waited. */
    record Outcome(int documents, long elapsedMs, List<IndexChange> changes) {
        String describe() {
            long[] freshness = changes.stream()
                    .mapToLong(c -> c.getCommitTime().toEpochMilli() - c.getSourceEventTime().toEpochMilli())
                    .sorted().toArray();
            if (freshness.length == 0) {
                return "nothing to wait for";
            }
            return String.format("%d documents searchable after %d ms (freshness, event to visible: p50 %d ms,"
                            + " max %d ms)", documents, elapsedMs, freshness[freshness.length / 2],
                    freshness[freshness.length - 1]);
        }
    }

    /** Sends the documents as new versions and, if asked, waits until all are searchable. */
    static Outcome submit(StreamragClient client, String collection, List<SourceDocument> documents,
                          VersionClock clock, boolean wait, Duration timeout) {
        List<DocumentEvent> events = new ArrayList<>(documents.size());
        for (SourceDocument doc : documents) {
            long version = doc.version() != null ? doc.version() : clock.next();
            events.add(DocumentEvents.upsert(collection, doc.id(), version, doc.title(), doc.text(),
                    doc.metadata(), doc.source()));
        }
        if (!wait) {
            client.send(events);
            return new Outcome(documents.size(), 0, List.of());
        }
        long start = System.nanoTime();
        List<IndexChange> changes = client.sendAndAwaitVisible(events, timeout);
        return new Outcome(changes.size(), (System.nanoTime() - start) / 1_000_000, changes);
    }
}
