package io.streamrag.core.embed;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.streamrag.core.Document;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.TokenChunker;
import io.streamrag.core.model.VectorMath;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * Measures the bge-small variants on SciFact: chunking, throughput, fp32-vs-quantized agreement and dense
 * retrieval quality. A measurement, not a test: it asserts nothing and its numbers depend on the machine.
 *
 * <p>Documents: the first {@code docs} of the corpus, plus every document judged relevant for a test query (so
 * that nDCG@10 can be computed over all test queries; the first documents act as distractors). Chunks:
 * {@link TokenChunker} at 256 tokens with the model's tokenizer. Throughput: after a warm-up, all chunks are
 * embedded in batches of {@code batch} by {@code threads} caller threads, each run of ONNX Runtime using
 * {@code intraOpThreads} threads. Retrieval: a document scores the best cosine of its chunks.
 *
 * <p>Usage: {@code EmbeddingModelBenchmark SCIFACT_DIR [docs=300] [threads=2] [batch=32] [intraOpThreads=1]},
 * where SCIFACT_DIR holds {@code corpus.jsonl.gz}, {@code queries.jsonl} and {@code qrels/test.tsv}.
 */
public final class EmbeddingModelBenchmark {

    private EmbeddingModelBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: EmbeddingModelBenchmark SCIFACT_DIR [docs=300] [threads=2] [batch=32]"
                    + " [intraOpThreads=1]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int firstDocs = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        int intraOp = args.length > 4 ? Integer.parseInt(args[4]) : 1;

        Map<String, Set<String>> qrels = readQrels(dir.resolve("qrels/test.tsv"));
        Set<String> relevant = new HashSet<>();
        qrels.values().forEach(relevant::addAll);
        List<Document> documents = readCorpus(dir.resolve("corpus.jsonl.gz"), firstDocs, relevant);
        Map<String, String> queries = readQueries(dir.resolve("queries.jsonl"), qrels.keySet());

        Map<EmbeddingModel, Result> results = new EnumMap<>(EmbeddingModel.class);
        List<Chunk> chunks = null;
        for (EmbeddingModel model : List.of(EmbeddingModel.BGE_SMALL_EN_V15, EmbeddingModel.BGE_SMALL_EN_V15_Q)) {
            try (OnnxEmbedder embedder = OnnxEmbedder.builder(model)
                    .intraOpThreads(intraOp).interOpThreads(1).batchSize(batch).build()) {
                if (chunks == null) {
                    chunks = chunk(documents, embedder.tokenCounter());
                    System.out.printf(Locale.ROOT, "documents %d (first %d + judged relevant), chunks %d,"
                                    + " mean tokens/chunk %.0f, test queries %d%n", documents.size(), firstDocs,
                            chunks.size(), meanTokens(chunks, embedder.tokenCounter()), queries.size());
                }
                results.put(model, measure(embedder, chunks, queries, qrels, threads, batch));
                System.out.printf(Locale.ROOT, "%s done%n", model.id());
            }
        }
        printTable(results, chunks, threads, batch, intraOp);
    }

    private static List<Chunk> chunk(List<Document> documents, TokenCounter counter) {
        TokenChunker chunker = TokenChunker.builder().tokenCounter(counter).maxTokens(256).overlapTokens(32).build();
        List<Chunk> chunks = new ArrayList<>();
        long start = System.nanoTime();
        for (Document document : documents) {
            chunks.addAll(chunker.chunk(document));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "chunking: %.1f docs/s (single thread, tokenizer included)%n",
                documents.size() / seconds);
        return chunks;
    }

    private static double meanTokens(List<Chunk> chunks, TokenCounter counter) {
        return chunks.stream().mapToInt(c -> counter.count(c.embeddingText())).average().orElse(0);
    }

    private static Result measure(OnnxEmbedder embedder, List<Chunk> chunks, Map<String, String> queries,
                                  Map<String, Set<String>> qrels, int threads, int batch) throws Exception {
        List<String> texts = chunks.stream().map(Chunk::embeddingText).collect(Collectors.toList());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            // warm-up: the first runs allocate ONNX Runtime's arenas and JIT the Java side
            embedAll(embedder, texts.subList(0, Math.min(texts.size(), 2 * batch * threads)), pool, batch);
            long start = System.nanoTime();
            List<float[]> vectors = embedAll(embedder, texts, pool, batch);
            double seconds = (System.nanoTime() - start) / 1e9;

            List<String> ids = new ArrayList<>(queries.keySet());
            List<Future<float[]>> futures = new ArrayList<>();
            for (String id : ids) {
                futures.add(pool.submit(() -> embedder.embedQuery(queries.get(id))));
            }
            Map<String, float[]> queryVectors = new HashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                queryVectors.put(ids.get(i), futures.get(i).get());
            }
            return new Result(texts.size() / seconds, vectors, ndcgAt10(chunks, vectors, queryVectors, qrels));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Embeds in batches spread over the pool's threads; returns vectors in input order. */
    private static List<float[]> embedAll(Embedder embedder, List<String> texts, ExecutorService pool, int batch)
            throws InterruptedException, ExecutionException {
        List<Future<List<float[]>>> futures = new ArrayList<>();
        for (int from = 0; from < texts.size(); from += batch) {
            List<String> slice = texts.subList(from, Math.min(texts.size(), from + batch));
            futures.add(pool.submit(() -> embedder.embedPassages(slice)));
        }
        List<float[]> out = new ArrayList<>(texts.size());
        for (Future<List<float[]>> future : futures) {
            out.addAll(future.get());
        }
        return out;
    }

    /** Mean nDCG@10 with binary relevance; a document scores the best cosine of its chunks. */
    private static double ndcgAt10(List<Chunk> chunks, List<float[]> vectors, Map<String, float[]> queryVectors,
                                   Map<String, Set<String>> qrels) {
        double sum = 0;
        for (Map.Entry<String, float[]> query : queryVectors.entrySet()) {
            Map<String, Double> best = new HashMap<>();
            for (int i = 0; i < chunks.size(); i++) {
                double score = VectorMath.dot(query.getValue(), vectors.get(i));
                best.merge(chunks.get(i).docId(), score, Math::max);
            }
            List<String> ranking = best.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed()
                            .thenComparing(Map.Entry.comparingByKey()))
                    .limit(10).map(Map.Entry::getKey).collect(Collectors.toList());
            Set<String> relevant = qrels.get(query.getKey());
            double dcg = 0;
            for (int rank = 0; rank < ranking.size(); rank++) {
                if (relevant.contains(ranking.get(rank))) {
                    dcg += 1 / log2(rank + 2);
                }
            }
            double ideal = 0;
            for (int rank = 0; rank < Math.min(10, relevant.size()); rank++) {
                ideal += 1 / log2(rank + 2);
            }
            sum += dcg / ideal;
        }
        return sum / queryVectors.size();
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static void printTable(Map<EmbeddingModel, Result> results, List<Chunk> chunks, int threads, int batch,
                                   int intraOp) {
        Result fp32 = results.get(EmbeddingModel.BGE_SMALL_EN_V15);
        Result q = results.get(EmbeddingModel.BGE_SMALL_EN_V15_Q);
        double minCos = Double.MAX_VALUE;
        double sumCos = 0;
        for (int i = 0; i < chunks.size(); i++) {
            double cos = VectorMath.dot(fp32.vectors().get(i), q.vectors().get(i));
            minCos = Math.min(minCos, cos);
            sumCos += cos;
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%d chunks, batch %d, %d caller threads x %d intra-op thread(s)%n%n",
                chunks.size(), batch, threads, intraOp);
        System.out.println("| model | chunks/s | nDCG@10 (dense) | cosine to fp32, mean | cosine to fp32, min |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.4f | 1 | 1 |%n",
                EmbeddingModel.BGE_SMALL_EN_V15.id(), fp32.chunksPerSecond(), fp32.ndcg());
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.4f | %.4f | %.4f |%n",
                EmbeddingModel.BGE_SMALL_EN_V15_Q.id(), q.chunksPerSecond(), q.ndcg(), sumCos / chunks.size(), minCos);
        System.out.printf(Locale.ROOT, "%nspeed-up of -q: %.2fx; nDCG@10 change: %+.4f%n",
                q.chunksPerSecond() / fp32.chunksPerSecond(), q.ndcg() - fp32.ndcg());
    }

    private static List<Document> readCorpus(Path path, int firstDocs, Set<String> relevant) throws IOException {
        List<Document> documents = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(path)), StandardCharsets.UTF_8))) {
            String line;
            int index = 0;
            while ((line = reader.readLine()) != null) {
                JsonObject json = JsonParser.parseString(line).getAsJsonObject();
                String id = json.get("_id").getAsString();
                if (index++ < firstDocs || relevant.contains(id)) {
                    documents.add(new Document("scifact", id, 1, json.get("title").getAsString(),
                            json.get("text").getAsString(), Map.of()));
                }
            }
        }
        return documents;
    }

    private static Map<String, String> readQueries(Path path, Set<String> wanted) throws IOException {
        Map<String, String> queries = new LinkedHashMap<>();
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            JsonObject json = JsonParser.parseString(line).getAsJsonObject();
            String id = json.get("_id").getAsString();
            if (wanted.contains(id)) {
                queries.put(id, json.get("text").getAsString());
            }
        }
        return queries;
    }

    private static Map<String, Set<String>> readQrels(Path path) throws IOException {
        Map<String, Set<String>> qrels = new HashMap<>();
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) { // skip the header
            String[] fields = line.split("\t");
            if (fields.length >= 3 && Integer.parseInt(fields[2].trim()) > 0) {
                qrels.computeIfAbsent(fields[0], k -> new HashSet<>()).add(fields[1]);
            }
        }
        return qrels;
    }

    private record Result(double chunksPerSecond, List<float[]> vectors, double ndcg) {
    }
}
