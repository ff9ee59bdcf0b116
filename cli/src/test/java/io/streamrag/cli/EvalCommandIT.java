package io.streamrag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamrag eval} on a tiny BEIR-format dataset written here, through the whole path: the embedded stack
 * (Kafka, the Flink ingest job, the ONNX model, Lucene), then scoring every mode.
 */
class EvalCommandIT {
    /** Each query's relevant document is the only one with the query's rare word, so BM25 ranks it first. */
    private static final List<String[]> DOCUMENTS = List.of(
            doc("d01", "Zorblax lichen", "The zorblax lichen grows on cooling basalt flows and fixes nitrogen."),
            doc("d02", "Tidal power", "Tidal barrages turn the rise and fall of the sea into electricity."),
            doc("d03", "Sourdough", "Sourdough bread rises through wild yeast and lactic acid bacteria."),
            doc("d04", "Glacier retreat", "Alpine glaciers have lost a third of their ice volume since 1950."),
            doc("d05", "Bee navigation", "Honey bees report the direction of food with a waggle dance."),
            doc("d06", "Quellfish migration", "The quellfish swims upstream each spring to spawn in gravel beds."),
            doc("d07", "Copper wiring", "Copper conducts electricity well and resists corrosion in walls."),
            doc("d08", "Moon phases", "The phases of the moon follow its orbit around the earth."),
            doc("d09", "Vintry ceramics", "Vintry glaze turns deep blue when fired with cobalt oxide."),
            doc("d10", "Coffee roasting", "Roasting coffee beans develops aroma through the Maillard reaction."),
            doc("d11", "Marathon training", "Long slow runs build the endurance a marathon needs."),
            doc("d12", "Pelmorite ore", "Pelmorite is a dense ore mined for its manganese content."),
            doc("d13", "Volcanic soil", "Volcanic soil is rich in minerals and very fertile for vineyards."),
            doc("d14", "Brindlecap mushroom", "The brindlecap mushroom glows faintly in damp beech forests."),
            doc("d15", "River deltas", "River deltas form where sediment settles as a river meets the sea."));
    private static final Map<String, String> QUERIES = Map.of(
            "q1", "Where does the zorblax lichen grow?",
            "q2", "When does the quellfish swim upstream?",
            "q3", "What colour is vintry glaze?",
            "q4", "What is pelmorite mined for?",
            "q5", "Where does the brindlecap mushroom glow?");
    private static final String QRELS = """
            query-id\tcorpus-id\tscore
            q1\td01\t1
            q2\td06\t1
            q3\td09\t1
            q4\td12\t2
            q5\td14\t1
            q5\td13\t0
            """;

    @TempDir
    Path tempDir;

    @Test
    void indexesTheDatasetAndPrintsEveryModeWithSaneMetrics() throws Exception {
        Path dataset = writeDataset(tempDir.resolve("tiny"));

        // --limit-docs 3: the first three documents plus every relevant one (d06, d09, d12, d14)
        Path data = tempDir.resolve("data");
        CliRun eval = cli("eval", "--dataset", dataset.toString(), "--collection", "tiny-eval",
                "--limit-docs", "3", "--data-dir", data.toString());

        assertThat(eval.exitCode()).as(eval.err() + eval.out()).isZero();
        assertThat(eval.out()).contains("7 of 15 documents, 5 judged queries").contains("indexed 7/7 documents");
        assertThat(eval.out()).contains("nDCG@10").contains("recall@10").contains("recall@100").contains("MRR@10");
        assertThat(row(eval.out(), "hybrid+rerank")).hasValueSatisfying(line ->
                assertThat(line).contains("n/a (no reranker configured)"));
        for (String mode : List.of("bm25", "dense", "hybrid")) {
            double[] metrics = metrics(eval.out(), mode);
            for (double metric : metrics) {
                assertThat(metric).as(mode).isBetween(0.0, 1.0);
            }
            assertThat(metrics[2]).as("%s recall@100: 7 documents, all retrieved", mode).isEqualTo(1.0);
            assertThat(column(eval.out(), mode, 5)).as("%s queries", mode).isEqualTo("5");
        }
        // every relevant document is the only one with its query's rare word
        assertThat(metrics(eval.out(), "bm25")[3]).as("bm25 MRR@10").isEqualTo(1.0);
        assertThat(metrics(eval.out(), "bm25")[0]).as("bm25 nDCG@10").isEqualTo(1.0);
        assertThat(metrics(eval.out(), "hybrid")[3]).as("hybrid MRR@10").isGreaterThanOrEqualTo(0.5);

        // scoring the same index again, without the stack, gives the same numbers; with a reranker the
        // hybrid+rerank row has numbers too
        CliRun again = cli("eval", "--dataset", dataset.toString(), "--collection", "tiny-eval",
                "--limit-docs", "3", "--data-dir", data.toString(), "--skip-ingest",
                "--mode", "bm25,hybrid,hybrid+rerank", "--reranker", "sentence-maxsim");

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).doesNotContain("indexed ");
        assertThat(metrics(again.out(), "bm25")).isEqualTo(metrics(eval.out(), "bm25"));
        assertThat(metrics(again.out(), "hybrid")).isEqualTo(metrics(eval.out(), "hybrid"));
        assertThat(row(again.out(), "dense")).isEmpty();
        double[] reranked = metrics(again.out(), "hybrid+rerank");
        for (double metric : reranked) {
            assertThat(metric).as("hybrid+rerank").isBetween(0.0, 1.0);
        }
        assertThat(reranked[2]).as("hybrid+rerank recall@100").isEqualTo(1.0);
    }

    @Test
    void skipIngestOfACollectionThatWasNeverIndexedSaysSo() throws Exception {
        Path dataset = writeDataset(tempDir.resolve("tiny"));
        Path data = tempDir.resolve("data");
        Files.createDirectories(data.resolve("index"));

        CliRun eval = cli("eval", "--dataset", dataset.toString(), "--collection", "never-indexed",
                "--skip-ingest", "--data-dir", data.toString(), "--mode", "bm25");

        assertThat(eval.exitCode()).isEqualTo(1);
        assertThat(eval.err()).contains("collection never-indexed does not exist in " + data.resolve("index"));
    }

    @Test
    void anElasticsearchStoreNeedsItsHostsAndNoIndexDirectory() throws Exception {
        Path dataset = writeDataset(tempDir.resolve("tiny"));

        CliRun noHosts = cli("eval", "--dataset", dataset.toString(), "--collection", "c", "--skip-ingest",
                "--store", "elasticsearch");
        assertThat(noHosts.exitCode()).isNotZero();
        assertThat(noHosts.err()).contains("--store elasticsearch needs --store-elasticsearch-hosts");

        CliRun withIndexDir = cli("eval", "--dataset", dataset.toString(), "--collection", "c", "--skip-ingest",
                "--store", "elasticsearch", "--store-elasticsearch-hosts", "http://127.0.0.1:9200",
                "--index-dir", tempDir.toString());
        assertThat(withIndexDir.exitCode()).isNotZero();
        assertThat(withIndexDir.err()).contains("--store elasticsearch reads --store-elasticsearch-hosts");
    }

    @Test
    void aMissingDatasetFileIsNamedInOneLine() throws Exception {
        Path dataset = writeDataset(tempDir.resolve("broken"));
        Files.delete(dataset.resolve("queries.jsonl"));

        CliRun eval = cli("eval", "--dataset", dataset.toString(), "--collection", "broken");

        assertThat(eval.exitCode()).isEqualTo(1);
        assertThat(eval.err().strip()).isEqualTo("streamrag: dataset " + dataset + " has no queries.jsonl");
    }

    @Test
    void anUnknownModeIsRejectedWithTheValidOnes() throws Exception {
        Path dataset = writeDataset(tempDir.resolve("tiny"));

        CliRun eval = cli("eval", "--dataset", dataset.toString(), "--collection", "c", "--mode", "bm25,splade");

        assertThat(eval.exitCode()).isEqualTo(1);
        assertThat(eval.err()).contains("unknown mode 'splade'").contains("bm25, dense, hybrid, hybrid+rerank");
    }

    @Test
    void aCrossEncoderWithoutAModelDirectoryIsRejected() throws Exception {
        Path dataset = writeDataset(tempDir.resolve("tiny"));

        CliRun eval = cli("eval", "--dataset", dataset.toString(), "--collection", "c", "--reranker", "cross-encoder");

        assertThat(eval.exitCode()).isEqualTo(1);
        assertThat(eval.err().strip()).isEqualTo("streamrag: --reranker cross-encoder needs --reranker-model DIR");
    }

    private static Path writeDataset(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("qrels"));
        List<String> corpus = new ArrayList<>();
        for (String[] d : DOCUMENTS) {
            corpus.add(String.format("{\"_id\": \"%s\", \"title\": \"%s\", \"text\": \"%s\"}", d[0], d[1], d[2]));
        }
        Files.write(dir.resolve("corpus.jsonl"), corpus);
        List<String> queries = new ArrayList<>();
        QUERIES.forEach((id, text) -> queries.add(String.format("{\"_id\": \"%s\", \"text\": \"%s\"}", id, text)));
        Files.write(dir.resolve("queries.jsonl"), queries);
        Files.writeString(dir.resolve("qrels/test.tsv"), QRELS);
        return dir;
    }

    /** The table row of {@code mode}: its first column is the mode, exactly. */
    private static Optional<String> row(String out, String mode) {
        return out.lines().filter(line -> line.split("\\s+")[0].equals(mode)).findFirst();
    }

    /** nDCG@10, recall@10, recall@100, MRR@10 of the mode's row. */
    private static double[] metrics(String out, String mode) {
        double[] metrics = new double[4];
        for (int i = 0; i < 4; i++) {
            metrics[i] = Double.parseDouble(column(out, mode, i + 1));
        }
        return metrics;
    }

    private static String column(String out, String mode, int index) {
        return row(out, mode).orElseThrow(() -> new AssertionError("no row for " + mode + " in\n" + out))
                .trim().split("\\s+")[index];
    }

    private static String[] doc(String id, String title, String text) {
        return new String[] {id, title, text};
    }

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }
}
