package io.streamrag.cli.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrag.core.corpus.DocumentFiles;
import io.streamrag.core.corpus.JsonLines;
import io.streamrag.core.corpus.SourceDocument;
import io.streamrag.core.eval.Qrels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A BEIR-format dataset directory: {@code corpus.jsonl} or {@code corpus.jsonl.gz} ({@code {"_id","title","text"}}
 * a line), {@code queries.jsonl} ({@code {"_id","text"}} a line) and {@code qrels/test.tsv}.
 *
 * @param corpus         the documents, in file order
 * @param corpusProblems corpus lines that could not be read ({@code file:line: reason}); the rest was read
 * @param queries        query id → text of the queries that have a relevant judgement, in qrels order
 * @param qrels          the test judgements
 * @param unanswerable   ids of judged queries that {@code queries.jsonl} has no text for
 */
public record BeirDataset(List<SourceDocument> corpus, List<String> corpusProblems, Map<String, String> queries,
                          Qrels qrels, Set<String> unanswerable) {
    /** Same limit as {@code submit}'s default: BEIR corpora have far shorter documents. */
    private static final long MAX_TEXT_CHARS = 5_000_000;

    public BeirDataset {
        corpus = List.copyOf(corpus);
        corpusProblems = List.copyOf(corpusProblems);
        queries = Collections.unmodifiableMap(new LinkedHashMap<>(queries));
        unanswerable = Collections.unmodifiableSet(new LinkedHashSet<>(unanswerable));
    }

    /**
     * Reads the dataset in {@code dir}.
     *
     * @throws IllegalArgumentException with one line naming the missing file or the malformed line
     */
    public static BeirDataset read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("dataset directory " + dir + " does not exist");
        }
        Path corpusFile = Files.isRegularFile(dir.resolve("corpus.jsonl")) ? dir.resolve("corpus.jsonl")
                : dir.resolve("corpus.jsonl.gz");
        Path queriesFile = dir.resolve("queries.jsonl");
        Path qrelsFile = dir.resolve("qrels").resolve("test.tsv");
        if (!Files.isRegularFile(corpusFile)) {
            throw new IllegalArgumentException("dataset " + dir + " has no corpus.jsonl or corpus.jsonl.gz");
        }
        requireFile(dir, queriesFile, "queries.jsonl");
        requireFile(dir, qrelsFile, "qrels/test.tsv");

        Qrels qrels = Qrels.read(qrelsFile);
        Map<String, String> allQueries = readQueries(queriesFile);
        Map<String, String> judged = new LinkedHashMap<>();
        Set<String> unanswerable = new LinkedHashSet<>();
        for (String id : qrels.evaluatedQueryIds()) {
            String text = allQueries.get(id);
            if (text == null) {
                unanswerable.add(id);
            } else {
                judged.put(id, text);
            }
        }
        if (judged.isEmpty()) {
            throw new IllegalArgumentException("dataset " + dir + ": no query in " + qrelsFile
                    + " has a relevant document and a text in " + queriesFile);
        }
        DocumentFiles.ReadResult corpus = new DocumentFiles(MAX_TEXT_CHARS).read(List.of(corpusFile));
        if (corpus.documents().isEmpty()) {
            throw new IllegalArgumentException("dataset " + dir + ": no readable document in " + corpusFile
                    + (corpus.problems().isEmpty() ? "" : " (first problem: " + corpus.problems().get(0) + ")"));
        }
        return new BeirDataset(corpus.documents(), corpus.problems(), judged, qrels, unanswerable);
    }

    /**
     * The first {@code limit} documents plus every document judged relevant for an evaluated query, in corpus
     * order: a quick run that can still find every relevant document.
     */
    public List<SourceDocument> limitedCorpus(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0, got " + limit);
        }
        Set<String> relevant = qrels.relevantDocIds(queries.keySet());
        List<SourceDocument> kept = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            SourceDocument doc = corpus.get(i);
            if (i < limit || relevant.contains(doc.id())) {
                kept.add(doc);
            }
        }
        return kept;
    }

    private static void requireFile(Path dir, Path file, String name) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("dataset " + dir + " has no " + name);
        }
    }

    private static Map<String, String> readQueries(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> queries = new LinkedHashMap<>();
        JsonLines.forEach(file, (number, line) -> {
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(file + ":" + number + ": not valid JSON: "
                        + e.getOriginalMessage(), e);
            }
            JsonNode id = node.hasNonNull("_id") ? node.get("_id") : node.get("id");
            JsonNode text = node.get("text");
            if (id == null || id.asText().isBlank() || text == null || !text.isTextual()) {
                throw new IllegalArgumentException(file + ":" + number
                        + ": expected {\"_id\": ..., \"text\": \"...\"}");
            }
            queries.put(id.asText(), text.asText());
        });
        return queries;
    }
}
