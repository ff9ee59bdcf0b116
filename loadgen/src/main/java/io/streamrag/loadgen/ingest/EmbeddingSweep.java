package io.streamrag.loadgen.ingest;

import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.embed.OnnxEmbedder;
import io.streamrag.core.model.VectorMath;
import io.streamrag.ingest.IngestSettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU ceiling of the embedding model: the chunks the ingest job cuts from the same documents, embedded in the
 * calls {@code ChunkEmbedder} makes under load (whole documents up to {@value #CALL_CHUNKS} chunks a call), with
 * one embedder configuration per point of the sweep: texts per model run, grouping by length, concurrent runs,
 * intra- and inter-op threads, ONNX Runtime session options, int8 against fp32.
 *
 * <p>The points run in rounds, each round in a rotated order, so that the drift of a shared machine's load spreads
 * over all points; a point's figure is the median of its rounds. Each point also reports how close its vectors come
 * to the fp32 model's (mean and minimum cosine), the process CPU time it spent per chunk (less sensitive to other
 * load on the machine than the rate; spinning threads count), and whether a text's vector depends on its
 * batch-mates (minimum cosine to the same configuration's vector of the text embedded alone: 1 means
 * independent).
 *
 * <pre>
 * bin/bench-embed --corpus FILE [--docs 60] [--rounds 3] [--points NAME,...] [--report FILE]
 * </pre>
 */
public final class EmbeddingSweep {
    private static final int CALL_CHUNKS = IngestSettings.DEFAULT_EMBED_BATCH_CHUNKS;
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final String USAGE = "usage: bench-embed --corpus FILE [--docs N] [--rounds N]"
            + " [--points NAME,...] [--report FILE]";

    /** One embedder configuration. */
    record Point(String name, EmbeddingModel model, int batchSize, boolean sortByLength, int concurrency,
                 int intraOp, int interOp, OptLevel optLevel, ExecutionMode executionMode, Boolean arena) {

        OnnxEmbedder open() {
            OnnxEmbedder.Builder b = OnnxEmbedder.builder(model).batchSize(batchSize).sortByLength(sortByLength)
                    .concurrency(concurrency).intraOpThreads(intraOp).interOpThreads(interOp);
            if (optLevel != null) {
                b.optimizationLevel(optLevel);
            }
            if (executionMode != null) {
                b.executionMode(executionMode);
            }
            if (arena != null) {
                b.memoryArena(arena);
            }
            return b.build();
        }

        String describe() {
            return String.format(Locale.ROOT, "%s, batch %d%s, %d concurrent × %d intra-op, %d inter-op%s%s%s",
                    model.id(), batchSize, batchSize > 1 ? (sortByLength ? " by length" : " arrival order") : "",
                    concurrency, intraOp, interOp, optLevel == null ? "" : ", " + optLevel,
                    executionMode == null ? "" : ", " + executionMode, arena == null ? "" : ", arena " + arena);
        }

        static Point of(String name, EmbeddingModel model, int batch, boolean sort, int concurrency, int intra) {
            return new Point(name, model, batch, sort, concurrency, intra, 1, null, null, null);
        }
    }

    /** The sweep; names are stable so that {@code --points} can pick some. */
    static List<Point> points() {
        EmbeddingModel q = EmbeddingModel.BGE_SMALL_EN_V15_Q;
        EmbeddingModel fp32 = EmbeddingModel.BGE_SMALL_EN_V15;
        List<Point> points = new ArrayList<>();
        // threads, one text per run
        points.add(Point.of("b1-c1-t1", q, 1, true, 1, 1));
        points.add(Point.of("b1-c1-t2", q, 1, true, 1, 2));
        points.add(Point.of("b1-c2-t1", q, 1, true, 2, 1));
        points.add(Point.of("b1-c4-t1", q, 1, true, 4, 1));
        // batch size, grouped by length or in arrival order, two concurrent single-threaded runs
        for (int batch : new int[] {2, 4, 8, 16, 32}) {
            points.add(Point.of("b" + batch + "-c2-t1-sorted", q, batch, true, 2, 1));
            points.add(Point.of("b" + batch + "-c2-t1-arrival", q, batch, false, 2, 1));
        }
        // the previous job default: one run of up to 32 texts in arrival order on 2 intra-op threads
        points.add(Point.of("b32-c1-t2-arrival", q, 32, false, 1, 2));
        points.add(Point.of("b32-c1-t2-sorted", q, 32, true, 1, 2));
        // session options on the one-text-per-run point
        points.add(new Point("b1-c2-t1-basic-opt", q, 1, true, 2, 1, 1, OptLevel.BASIC_OPT, null, null));
        points.add(new Point("b1-c2-t1-extended-opt", q, 1, true, 2, 1, 1, OptLevel.EXTENDED_OPT, null, null));
        points.add(new Point("b1-c2-t1-no-arena", q, 1, true, 2, 1, 1, null, null, false));
        points.add(new Point("b1-c1-t1-parallel-i2", q, 1, true, 1, 1, 2, null, ExecutionMode.PARALLEL, null));
        // fp32
        points.add(Point.of("fp32-b1-c2-t1", fp32, 1, true, 2, 1));
        points.add(Point.of("fp32-b8-c2-t1-sorted", fp32, 8, true, 2, 1));
        return points;
    }

    /** A point's rounds and its vectors of the quality sample. */
    private static final class Measured {
        final Point point;
        final List<Double> chunksPerSecond = new ArrayList<>();
        final List<Double> cpuMsPerChunk = new ArrayList<>();
        double meanCosineToFp32 = Double.NaN;
        double minCosineToFp32 = Double.NaN;
        double minCosineToAlone = Double.NaN;

        Measured(Point point) {
            this.point = point;
        }

        double median() {
            return median(chunksPerSecond);
        }

        static double median(List<Double> values) {
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
    }

    private EmbeddingSweep() {
    }

    public static void main(String[] args) throws Exception {
        Path corpus = null;
        int docs = 60;
        int rounds = 3;
        Path report = null;
        List<String> only = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--corpus" -> corpus = Path.of(require(args[i], value));
                    case "--docs" -> docs = Integer.parseInt(require(args[i], value));
                    case "--rounds" -> rounds = Integer.parseInt(require(args[i], value));
                    case "--report" -> report = Path.of(require(args[i], value));
                    case "--points" -> only = Arrays.asList(require(args[i], value).split(","));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (docs < 1 || rounds < 1) {
                throw new IllegalArgumentException("--docs and --rounds must be >= 1");
            }
            if (corpus == null) {
                throw new IllegalArgumentException("--corpus FILE is required (a BEIR corpus.jsonl[.gz], e.g."
                        + " SciFact's)");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bench-embed: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        List<Point> points = new ArrayList<>();
        for (Point p : points()) {
            if (only == null || only.contains(p.name())) {
                points.add(p);
            }
        }
        if (points.isEmpty()) {
            System.err.println("bench-embed: no point named " + only + "; points: "
                    + points().stream().map(Point::name).toList());
            System.exit(2);
            return;
        }
        String table = run(CorpusDocument.read(corpus, docs), points, rounds);
        System.out.println(table);
        if (report != null) {
            Files.writeString(report, table);
        }
        System.exit(0); // the embedders' runner threads are daemons, ONNX Runtime's may not be
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    static String run(List<CorpusDocument> docs, List<Point> points, int rounds) throws IOException {
        Chunks chunks = Chunks.cut(docs);
        log("%d documents → %d chunks, %d tokens (%.0f per chunk, special tokens included); %d points × %d rounds",
                docs.size(), chunks.count(), chunks.tokens(), (double) chunks.tokens() / chunks.count(),
                points.size(), rounds);
        List<float[]> fp32 = referenceVectors(EmbeddingModel.BGE_SMALL_EN_V15, chunks.sample());
        Map<EmbeddingModel, List<float[]>> alone = new LinkedHashMap<>();
        List<Measured> results = points.stream().map(Measured::new).toList();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < results.size(); i++) {
                Measured m = results.get((i + round) % results.size()); // rotate: spread the drift
                try (OnnxEmbedder embedder = m.point.open()) {
                    embedder.embedPassages(chunks.calls().get(0)); // warm-up: kernels, arena
                    long cpuBefore = PROCESS.getProcessCpuTime();
                    double rate = chunks.count() / seconds(() -> chunks.calls().forEach(embedder::embedPassages));
                    double cpuMs = (PROCESS.getProcessCpuTime() - cpuBefore) / 1e6 / chunks.count();
                    m.chunksPerSecond.add(rate);
                    m.cpuMsPerChunk.add(cpuMs);
                    log("round %d %-24s %6.1f chunks/s %6.1f CPU ms/chunk (load %s)", round + 1, m.point.name(), rate,
                            cpuMs, IngestBenchmark.loadAverage());
                    if (round == 0) {
                        List<float[]> own = embedder.embedPassages(chunks.sample());
                        List<float[]> single = alone.computeIfAbsent(m.point.model(),
                                model -> referenceVectors(model, chunks.sample()));
                        m.meanCosineToFp32 = meanCosine(own, fp32);
                        m.minCosineToFp32 = minCosine(own, fp32);
                        m.minCosineToAlone = minCosine(own, single);
                    }
                }
            }
        }
        return table(docs.size(), chunks, results, rounds);
    }

    private static String table(int docs, Chunks chunks, List<Measured> results, int rounds) {
        StringBuilder out = new StringBuilder();
        double best = results.stream().mapToDouble(Measured::median).max().orElse(Double.NaN);
        out.append(String.format(Locale.ROOT, "Embedding sweep, %s: %d SciFact documents → %d chunks, %d tokens"
                        + " (%.0f per chunk), in calls of whole documents up to %d chunks; median of %d rounds;"
                        + " %d available processors.%n%n", Instant.now(), docs, chunks.count(), chunks.tokens(),
                (double) chunks.tokens() / chunks.count(), CALL_CHUNKS, rounds,
                Runtime.getRuntime().availableProcessors()));
        out.append("| point | configuration | chunks/s | tokens/s | of best | rounds, chunks/s | CPU ms per chunk"
                + " | cosine to fp32, mean / min | min cosine to the text embedded alone |\n");
        out.append("| --- | --- | ---: | ---: | ---: | --- | ---: | --- | ---: |\n");
        for (Measured m : results) {
            double rate = m.median();
            out.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.0f | %.2f | %s | %.1f | %.4f / %.4f | %.4f |%n",
                    m.point.name(), m.point.describe(), rate, rate * chunks.tokens() / chunks.count(), rate / best,
                    m.chunksPerSecond.stream().map(r -> String.format(Locale.ROOT, "%.1f", r)).toList(),
                    Measured.median(m.cpuMsPerChunk), m.meanCosineToFp32, m.minCosineToFp32, m.minCosineToAlone));
        }
        return out.toString();
    }

    /** Each text embedded alone (one text per run: no batch-mates) with one intra-op thread. */
    private static List<float[]> referenceVectors(EmbeddingModel model, List<String> texts) {
        try (OnnxEmbedder embedder = OnnxEmbedder.builder(model).batchSize(1).intraOpThreads(1).interOpThreads(1)
                .build()) {
            return embedder.embedPassages(texts);
        }
    }

    private static double meanCosine(List<float[]> a, List<float[]> b) {
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            sum += VectorMath.dot(a.get(i), b.get(i)); // the cosine: both unit length
        }
        return sum / a.size();
    }

    private static double minCosine(List<float[]> a, List<float[]> b) {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < a.size(); i++) {
            min = Math.min(min, VectorMath.dot(a.get(i), b.get(i)));
        }
        return min;
    }

    private static double seconds(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "bench-embed: " + format + "%n", args);
    }

    /**
     * The chunk texts as the job cuts them, grouped into the calls {@code ChunkEmbedder} makes under load, their
     * total tokens, and a sample (the first two calls' texts) for the vector comparisons.
     */
    record Chunks(List<List<String>> calls, int count, long tokens, List<String> sample) {

        static Chunks cut(List<CorpusDocument> docs) {
            try (OnnxEmbedder tokenizer = OnnxEmbedder.builder(EmbeddingModel.DEFAULT).intraOpThreads(1).build()) {
                List<List<String>> perDoc = EmbedderThroughput.chunkTexts(docs, tokenizer.tokenCounter(),
                        IngestSettings.DEFAULT_CHUNK_MAX_TOKENS, IngestSettings.DEFAULT_CHUNK_OVERLAP_TOKENS);
                int count = 0;
                long tokens = 0;
                for (List<String> texts : perDoc) {
                    count += texts.size();
                    for (String text : texts) {
                        tokens += tokenizer.tokenCounter().count(text) + 2; // [CLS] and [SEP]
                    }
                }
                List<List<String>> calls = EmbedderThroughput.batches(perDoc, CALL_CHUNKS);
                List<String> sample = new ArrayList<>(calls.get(0));
                if (calls.size() > 1) {
                    sample.addAll(calls.get(1));
                }
                return new Chunks(calls, count, tokens, sample);
            }
        }
    }
}
