package io.streamrag.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * One in-process run of the {@code streamrag} command line, as a user would type it, with what it printed.
 *
 * @param exitCode the command's exit status
 * @param out      what it printed on standard output
 * @param err      what it printed on standard error
 */
record CliRun(int exitCode, String out, String err) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs {@code args} as given. */
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Streamrag.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Runs the subcommand {@code args[0]} with {@code --bootstrap bootstrapServers} added after it. */
    static CliRun against(String bootstrapServers, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--bootstrap");
        all.add(2, bootstrapServers);
        return of(all.toArray(String[]::new));
    }

    /** What a successful {@code ask --json} printed; fails the test with the error output otherwise. */
    JsonNode answer() {
        if (exitCode != 0) {
            throw new AssertionError("exit status " + exitCode + ": " + err);
        }
        try {
            return JSON.readTree(out);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + out, e);
        }
    }

    /** The cache layers an {@code ask --json} answer reports (its {@code cache} array). */
    static List<String> cacheLayers(JsonNode answer) {
        List<String> layers = new ArrayList<>();
        answer.get("cache").forEach(c -> layers.add(c.asText()));
        return layers;
    }
}
