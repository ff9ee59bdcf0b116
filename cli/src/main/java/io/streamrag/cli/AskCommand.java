package io.streamrag.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamrag.client.AnswerJson;
import io.streamrag.client.StreamragClient;
import io.streamrag.core.CollectionNames;
import io.streamrag.schemas.Citation;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.QueryResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code streamrag ask}: asks a question and prints the cited answer. */
@Command(name = "ask", description = "Ask a question; prints the answer with citations.")
final class AskCommand implements Callable<Integer> {
    @Mixin
    BootstrapOption bootstrap;

    @Spec
    CommandSpec spec;

    @Option(names = "--collection", required = true, description = "Collection to ask")
    String collection;

    @Option(names = "--top-k", defaultValue = "5", paramLabel = "K",
            description = "Chunks to retrieve (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--json", description = "Print one JSON object instead of text")
    boolean json;

    @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS",
            description = "How long to wait for the answer (default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Parameters(arity = "1..*", paramLabel = "QUESTION", description = "The question (words are joined)")
    List<String> question;

    @Override
    public Integer call() throws JsonProcessingException {
        CollectionNames.requireValid(collection);
        if (topK <= 0) {
            throw new IllegalArgumentException("--top-k must be > 0, got " + topK);
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        QueryResponse response;
        try (StreamragClient client = StreamragClient.connect(bootstrap.bootstrap, Duration.ofSeconds(5))) {
            response = client.ask(request(collection, String.join(" ", question), topK, timeout), timeout);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? toJson(response) : toText(response));
        out.flush();
        return response.getError() == null ? 0 : 1;
    }

    static QueryRequest request(String collection, String text, int topK, Duration timeout) {
        return QueryRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setCollection(collection)
                .setText(text)
                .setTopK(topK)
                .setDeadline(Instant.now().plus(timeout))
                .build();
    }

    /** The {@code --json} shape documented in DESIGN.md ({@link AnswerJson}). */
    static String toJson(QueryResponse response) throws JsonProcessingException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(AnswerJson.of(response));
    }

    static String toText(QueryResponse response) {
        StringBuilder text = new StringBuilder(response.getAnswer()).append('\n');
        if (!response.getCitations().isEmpty()) {
            text.append('\n');
            for (Citation c : response.getCitations()) {
                text.append(String.format("[%d] %s  (%s, score %.3f)%n", c.getNumber(), c.getDocId(), c.getChunkId(),
                        c.getScore()));
            }
        }
        if (!"normal".equals(response.getDegradationMode())) {
            text.append("(answered in mode ").append(response.getDegradationMode()).append(")\n");
        }
        return text.toString().stripTrailing();
    }
}
