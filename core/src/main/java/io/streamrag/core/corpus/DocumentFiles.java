package io.streamrag.core.corpus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads documents from files, the one reader of corpora for {@code submit}, {@code eval} (BEIR datasets) and the
 * benchmarks: JSONL ({@code {"id","title","text"}} a line, BEIR's
 * {@code _id} accepted, optional {@code metadata} object and {@code version}; {@code .jsonl.gz} too), Markdown
 * and plain text (one document per file, id = the path as given, title = the first Markdown heading or the
 * file name).
 *
 * <p>A bad line does not stop the reading: it is reported as {@code file:line: reason} and the rest is read.
 */
public final class DocumentFiles {
    private final ObjectMapper json = new ObjectMapper();
    private final long maxTextChars;

    /** @param maxTextChars a document with more text than this is rejected */
    public DocumentFiles(long maxTextChars) {
        if (maxTextChars <= 0) {
            throw new IllegalArgumentException("maxTextChars must be > 0, got " + maxTextChars);
        }
        this.maxTextChars = maxTextChars;
    }

    /** The documents and the problems found in one or more files. */
    public record ReadResult(List<SourceDocument> documents, List<String> problems) {
    }

    public ReadResult read(List<Path> paths) {
        List<SourceDocument> documents = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path path : paths) {
            String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
            try {
                if (Files.isDirectory(path)) {
                    problems.add(path + ": is a directory (give the files, e.g. " + path + "/*.md)");
                } else if (name.endsWith(".jsonl") || name.endsWith(".jsonl.gz") || name.endsWith(".json")) {
                    readJsonLines(path, documents, problems);
                } else {
                    readWholeFile(path, name, documents, problems);
                }
            } catch (IOException e) {
                problems.add(path + ": cannot read: " + e.getMessage());
            }
        }
        return new ReadResult(documents, problems);
    }

    private void readJsonLines(Path path, List<SourceDocument> documents, List<String> problems)
            throws IOException {
        JsonLines.forEach(path, (number, line) -> {
            String where = path + ":" + number;
            try {
                SourceDocument doc = parseLine(line, where);
                String problem = check(doc);
                if (problem != null) {
                    problems.add(where + ": " + problem);
                } else {
                    documents.add(doc);
                }
            } catch (JsonProcessingException e) {
                problems.add(where + ": not valid JSON: " + e.getOriginalMessage());
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
            }
        });
    }

    private SourceDocument parseLine(String line, String where) throws JsonProcessingException {
        JsonNode node = json.readTree(line);
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, got " + node.getNodeType());
        }
        JsonNode id = node.hasNonNull("id") ? node.get("id") : node.get("_id");
        if (id == null || id.isNull() || id.asText().isBlank()) {
            throw new IllegalArgumentException("missing \"id\" (or BEIR \"_id\")");
        }
        JsonNode text = node.get("text");
        if (text == null || !text.isTextual()) {
            throw new IllegalArgumentException("missing \"text\" string");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = node.get("metadata");
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) {
                throw new IllegalArgumentException("\"metadata\" must be an object of strings");
            }
            meta.fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        }
        Long version = null;
        JsonNode v = node.get("version");
        if (v != null && !v.isNull()) {
            if (!v.canConvertToLong() || v.asLong() < 0) {
                throw new IllegalArgumentException("\"version\" must be a non-negative integer, got " + v);
            }
            version = v.asLong();
        }
        String title = node.hasNonNull("title") ? node.get("title").asText() : "";
        return new SourceDocument(id.asText(), title, text.asText(), metadata, version, where);
    }

    private void readWholeFile(Path path, String name, List<SourceDocument> documents, List<String> problems)
            throws IOException {
        String text = Files.readString(path, StandardCharsets.UTF_8);
        String title = name.replaceFirst("\\.[^.]+$", "");
        for (String line : text.split("\n", 50)) {
            if (line.startsWith("# ")) {
                title = line.substring(2).trim();
                break;
            }
        }
        SourceDocument doc = new SourceDocument(path.toString(), title, text, Map.of(), null, path.toString());
        String problem = check(doc);
        if (problem != null) {
            problems.add(path + ": " + problem);
        } else {
            documents.add(doc);
        }
    }

    private String check(SourceDocument doc) {
        if (doc.text().isBlank()) {
            return "empty text";
        }
        if (doc.text().length() > maxTextChars) {
            return "text has " + doc.text().length() + " characters, more than the limit of " + maxTextChars;
        }
        return null;
    }
}
