package io.streamrag.cli;

import io.streamrag.cli.client.StreamragClient;
import io.streamrag.cli.dev.DevSettings;
import io.streamrag.cli.dev.DevStack;
import io.streamrag.core.corpus.SourceDocument;
import io.streamrag.schemas.QueryResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamrag demo}: starts the embedded stack in a fresh directory, ingests the small corpus shipped with
 * streamrag (its own documentation), asks a few questions, prints the cited answers and stops.
 */
@Command(name = "demo", description = "Start the stack, ingest a small corpus, ask questions, print answers, stop.")
final class DemoCommand implements Callable<Integer> {
    static final String COLLECTION = "streamrag-docs";
    private static final String CORPUS = "/io/streamrag/cli/demo/";
    static final List<String> QUESTIONS = List.of(
            "How does streamrag keep answers from going stale?",
            "Which embedding model does streamrag use?",
            "What happens to a document event that cannot be decoded?");

    @Spec
    CommandSpec spec;

    @Option(names = "--keep-data", description = "Keep the demo's data directory instead of deleting it")
    boolean keepData;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dataDir = Files.createTempDirectory("streamrag-demo");
        out.println("starting the stack (Kafka, Flink, Kafka Streams, Lucene, ONNX) in " + dataDir);
        out.flush();
        try (DevStack stack = DevStack.start(new DevSettings(dataDir, 0, 0));
             StreamragClient client = StreamragClient.connect(stack.bootstrapServers(), Duration.ofSeconds(10))) {
            List<SourceDocument> corpus = corpus();
            SubmitCommand.Outcome outcome = SubmitCommand.submit(client, COLLECTION, corpus, new VersionClock(), true,
                    Duration.ofMinutes(5));
            out.println("indexed " + corpus.size() + " documents: " + outcome.describe());
            for (String question : QUESTIONS) {
                QueryResponse response = client.ask(
                        AskCommand.request(COLLECTION, question, 3, Duration.ofMinutes(1)), Duration.ofMinutes(1));
                out.println();
                out.println("Q: " + question);
                out.println(AskCommand.toText(response));
                if (response.getError() != null || response.getCitations().isEmpty()) {
                    throw new CommandFailedException("the demo question \"" + question + "\" got no cited answer: "
                            + response.getError());
                }
            }
            out.println();
            out.println("demo finished; stopping the stack");
            out.flush();
        } finally {
            if (!keepData) {
                deleteRecursively(dataDir);
            }
        }
        return 0;
    }

    /** The demo corpus: the Markdown files listed in the corpus index, id = file name. */
    static List<SourceDocument> corpus() {
        List<SourceDocument> documents = new ArrayList<>();
        for (String name : resource("index.txt").strip().split("\n")) {
            String text = resource(name.strip());
            String title = text.lines().findFirst().orElse(name).replaceFirst("^# ", "");
            documents.add(new SourceDocument(name.strip(), title, text, Map.of("kind", "docs"), null, name));
        }
        return documents;
    }

    private static String resource(String name) {
        try (InputStream in = DemoCommand.class.getResourceAsStream(CORPUS + name)) {
            if (in == null) {
                throw new IllegalStateException("demo corpus file " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
