package io.streamrag.loadgen.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * One document of a BEIR corpus ({@code corpus.jsonl[.gz]}: {@code {"_id", "title", "text"}} a line).
 *
 * @param id    the BEIR {@code _id}
 * @param title may be empty, never null
 * @param text  the abstract
 */
record CorpusDocument(String id, String title, String text) {

    CorpusDocument {
        Objects.requireNonNull(id, "id");
        title = title == null ? "" : title;
        Objects.requireNonNull(text, "text");
    }

    /**
     * Reads up to {@code limit} documents with non-blank text from a BEIR corpus file, in file order.
     *
     * @throws IOException when the file cannot be read or a line is not a JSON object with {@code _id}
     */
    static List<CorpusDocument> read(Path corpus, int limit) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<CorpusDocument> docs = new ArrayList<>();
        try (InputStream file = Files.newInputStream(corpus);
             InputStream in = corpus.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(file) : file;
             BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while (docs.size() < limit && (line = lines.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = json.readTree(line);
                if (!node.hasNonNull("_id")) {
                    throw new IOException(corpus + ":" + lineNo + ": no _id");
                }
                String text = node.path("text").asText("");
                if (!text.isBlank()) {
                    docs.add(new CorpusDocument(node.get("_id").asText(), node.path("title").asText(""), text));
                }
            }
        }
        return docs;
    }
}
