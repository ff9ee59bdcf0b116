package io.streamrag.core.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentFilesTest {
    @TempDir
    Path dir;

    private final DocumentFiles files = new DocumentFiles(100);

    @Test
    void readsJsonLinesWithIdOrBeirId() throws IOException {
        Path jsonl = dir.resolve("docs.jsonl");
        Files.writeString(jsonl, """
                {"id": "a", "title": "A", "text": "alpha", "metadata": {"lang": "en"}, "version": 7}

                {"_id": "b", "text": "beta"}
                """);

        DocumentFiles.ReadResult result = files.read(List.of(jsonl));

        assertThat(result.problems()).isEmpty();
        assertThat(result.documents()).extracting(SourceDocument::id).containsExactly("a", "b");
        SourceDocument a = result.documents().get(0);
        assertThat(a.title()).isEqualTo("A");
        assertThat(a.metadata()).containsEntry("lang", "en");
        assertThat(a.version()).isEqualTo(7L);
        assertThat(result.documents().get(1).title()).isEmpty();
        assertThat(result.documents().get(1).version()).isNull();
    }

    @Test
    void badLinesAreReportedWithFileLineAndReasonAndTheRestIsRead() throws IOException {
        Path jsonl = dir.resolve("mixed.jsonl");
        Files.writeString(jsonl, """
                {"id": "ok1", "text": "fine"}
                {"id": "x", "text":
                {"text": "no id"}
                {"id": "empty", "text": "   "}
                [1, 2]
                {"id": "big", "text": "%s"}
                {"id": "v", "text": "t", "version": "soon"}
                {"id": "ok2", "text": "also fine"}
                """.formatted("x".repeat(101)));

        DocumentFiles.ReadResult result = files.read(List.of(jsonl));

        assertThat(result.documents()).extracting(SourceDocument::id).containsExactly("ok1", "ok2");
        assertThat(result.problems()).hasSize(6);
        assertThat(result.problems().get(0)).startsWith(jsonl + ":2: not valid JSON");
        assertThat(result.problems().get(1)).startsWith(jsonl + ":3: missing \"id\"");
        assertThat(result.problems().get(2)).startsWith(jsonl + ":4: empty text");
        assertThat(result.problems().get(3)).startsWith(jsonl + ":5: expected a JSON object");
        assertThat(result.problems().get(4)).startsWith(jsonl + ":6: text has 101 characters");
        assertThat(result.problems().get(5)).startsWith(jsonl + ":7: \"version\" must be");
    }

    @Test
    void markdownFileIsOneDocumentTitledByItsHeading() throws IOException {
        Path md = dir.resolve("guide.md");
        Files.writeString(md, "intro line\n# The Guide\n\nBody text.\n");
        Path txt = dir.resolve("notes.txt");
        Files.writeString(txt, "plain notes");

        DocumentFiles.ReadResult result = files.read(List.of(md, txt));

        assertThat(result.problems()).isEmpty();
        assertThat(result.documents()).extracting(SourceDocument::id).containsExactly(md.toString(), txt.toString());
        assertThat(result.documents()).extracting(SourceDocument::title).containsExactly("The Guide", "notes");
    }

    @Test
    void gzippedJsonLinesAndMissingFiles() throws IOException {
        Path gz = dir.resolve("corpus.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("{\"_id\": \"g\", \"title\": \"G\", \"text\": \"gamma\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        Path missing = dir.resolve("missing.jsonl");

        DocumentFiles.ReadResult result = files.read(List.of(gz, missing));

        assertThat(result.documents()).extracting(SourceDocument::id).containsExactly("g");
        assertThat(result.problems()).singleElement().asString().startsWith(missing + ": cannot read");
    }
}
