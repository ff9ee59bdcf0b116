package io.streamrag.loadgen.ingest;

import io.streamrag.core.corpus.DocumentFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

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
     * Reads up to {@code limit} documents with non-blank text from a BEIR corpus file, in file order, with
     * {@link DocumentFiles} (a line it cannot read is skipped; the number skipped goes to standard error).
     *
     * @throws IOException when the file yields no document at all
     */
    static List<CorpusDocument> read(Path corpus, int limit) throws IOException {
        DocumentFiles.ReadResult read = new DocumentFiles(Long.MAX_VALUE).read(List.of(corpus));
        if (read.documents().isEmpty()) {
            throw new IOException("no document in " + corpus
                    + (read.problems().isEmpty() ? "" : ": " + read.problems().get(0)));
        }
        if (!read.problems().isEmpty()) {
            System.err.println(read.problems().size() + " line(s) of " + corpus + " skipped, e.g. "
                    + read.problems().get(0));
        }
        return read.documents().stream().limit(limit)
                .map(doc -> new CorpusDocument(doc.id(), doc.title(), doc.text())).toList();
    }
}
