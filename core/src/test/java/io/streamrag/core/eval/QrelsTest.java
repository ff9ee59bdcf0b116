package io.streamrag.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QrelsTest {
    @TempDir
    Path dir;

    @Test
    void readsABeirQrelsFileWithItsHeader() throws Exception {
        Path file = write("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\n\nq2\td3\t0\nq3 d1 1\n");

        Qrels qrels = Qrels.read(file);

        assertThat(qrels.size()).isEqualTo(4);
        assertThat(qrels.judgements("q1")).isEqualTo(Map.of("d1", 1, "d2", 2));
        assertThat(qrels.judgements("unknown")).isEmpty();
        // q2 has only a non-relevant judgement: it cannot be scored
        assertThat(qrels.evaluatedQueryIds()).containsExactly("q1", "q3");
        assertThat(qrels.relevantDocIds(Set.of("q1", "q2"))).containsExactlyInAnyOrder("d1", "d2");
    }

    @Test
    void aMalformedLineIsReportedWithFileAndLine() throws Exception {
        Path file = write("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\n");

        assertThatThrownBy(() -> Qrels.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file + ":3").hasMessageContaining("expected 3 fields");
    }

    @Test
    void aNonIntegerScoreAndAMissingHeaderAreReported() throws Exception {
        Path badScore = write("query-id\tcorpus-id\tscore\nq1\td1\thigh\n");
        Path noHeader = dir.resolve("no-header.tsv");
        Files.writeString(noHeader, "q1\td1\t1\n");

        assertThatThrownBy(() -> Qrels.read(badScore)).hasMessageContaining(":2: score must be an integer");
        assertThatThrownBy(() -> Qrels.read(noHeader)).hasMessageContaining("expected the BEIR header");
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("qrels/test.tsv");

        assertThatThrownBy(() -> Qrels.read(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("qrels file " + missing + " does not exist");
    }

    @Test
    void ofRejectsNegativeGrades() {
        assertThatThrownBy(() -> Qrels.of(Map.of("q", Map.of("d", -1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("q/d must be >= 0, got -1");
    }

    private Path write(String content) throws Exception {
        Path file = dir.resolve("test.tsv");
        Files.writeString(file, content);
        return file;
    }
}
