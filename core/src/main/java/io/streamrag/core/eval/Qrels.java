package io.streamrag.core.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Relevance judgements: for each query, the judged documents and their grades (0 = judged not relevant, higher =
 * more relevant). Documents a query does not list count as not relevant.
 *
 * <p>Immutable and thread-safe.
 */
public final class Qrels {
    private final Map<String, Map<String, Integer>> byQuery;

    private Qrels(Map<String, Map<String, Integer>> byQuery) {
        Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
        byQuery.forEach((query, docs) -> copy.put(query, Collections.unmodifiableMap(new LinkedHashMap<>(docs))));
        this.byQuery = Collections.unmodifiableMap(copy);
    }

    /** Judgements from a map of query id → (document id → grade); grades must be >= 0. */
    public static Qrels of(Map<String, Map<String, Integer>> judgements) {
        Objects.requireNonNull(judgements, "judgements");
        judgements.forEach((query, docs) -> docs.forEach((doc, grade) -> {
            if (grade == null || grade < 0) {
                throw new IllegalArgumentException("grade of " + query + "/" + doc + " must be >= 0, got " + grade);
            }
        }));
        return new Qrels(judgements);
    }

    /**
     * Reads a BEIR qrels file ({@code qrels/test.tsv}): a header line, then {@code query-id corpus-id score} a
     * line, separated by tabs (or other whitespace). Blank lines are skipped; a judgement repeated for the same
     * (query, document) keeps the last grade, as trec_eval does.
     *
     * @throws IllegalArgumentException naming the file and line when a line is malformed or the file is missing
     * @throws IOException              when the file cannot be read
     */
    public static Qrels read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Map<String, Map<String, Integer>> judgements = new LinkedHashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = reader.readLine();
            if (line == null) {
                throw new IllegalArgumentException(file + ": empty, expected a header line and judgements");
            }
            if (!line.toLowerCase(Locale.ROOT).startsWith("query")) {
                throw new IllegalArgumentException(file + ":1: expected the BEIR header "
                        + "\"query-id<TAB>corpus-id<TAB>score\", got \"" + line + "\"");
            }
            int number = 1;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.strip().split("\\s+");
                if (fields.length != 3) {
                    throw new IllegalArgumentException(file + ":" + number
                            + ": expected 3 fields (query-id corpus-id score), got " + fields.length);
                }
                int grade;
                try {
                    grade = Integer.parseInt(fields[2]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + ":" + number + ": score must be an integer, got \""
                            + fields[2] + "\"", e);
                }
                if (grade < 0) {
                    // Some TREC collections mark spam as -1; it is no more relevant than an unjudged document.
                    grade = 0;
                }
                judgements.computeIfAbsent(fields[0], q -> new LinkedHashMap<>()).put(fields[1], grade);
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("qrels file " + file + " does not exist", e);
        }
        return new Qrels(judgements);
    }

    /** The judgements of one query (document id → grade), empty when it has none. */
    public Map<String, Integer> judgements(String queryId) {
        return byQuery.getOrDefault(queryId, Map.of());
    }

    /** Ids of the queries with at least one relevant (grade > 0) document, in file order: the ones evaluated. */
    public Set<String> evaluatedQueryIds() {
        Set<String> ids = new LinkedHashSet<>();
        byQuery.forEach((query, docs) -> {
            if (docs.values().stream().anyMatch(grade -> grade > 0)) {
                ids.add(query);
            }
        });
        return Collections.unmodifiableSet(ids);
    }

    /** Ids of every document judged relevant (grade > 0) for any of the given queries. */
    public Set<String> relevantDocIds(Set<String> queryIds) {
        Set<String> ids = new LinkedHashSet<>();
        for (String query : queryIds) {
            judgements(query).forEach((doc, grade) -> {
                if (grade > 0) {
                    ids.add(doc);
                }
            });
        }
        return Collections.unmodifiableSet(ids);
    }

    /** The number of (query, document) judgements. */
    public int size() {
        return byQuery.values().stream().mapToInt(Map::size).sum();
    }
}
