package io.streamrag.core.rerank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrag.core.Document;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.TokenChunker;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.embed.OnnxEmbedder;
import io.streamrag.core.query.HybridQueryEngine;
import io.streamrag.core.query.Query;
import io.streamrag.core.search.RetrievalMode;
import io.streamrag.core.store.IndexedChunk;
import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * Not a test: measures on a SciFact subset whether {@link SentenceMaxSimReranker} improves hybrid retrieval.
 *
 * <p>Subset: the first {@code queries} test queries (by id), every document relevant to them, the BM25 top
 * {@code mineDepth} of each query over the full corpus (hard negatives, mined with a keyword-only index), and random
 * documents up to {@code docs}. The subset is indexed with bge-small-en-v1.5-q and the {@link TokenChunker}; each
 * query retrieves the hybrid top 20 (the engine's default rerank depth), which is reranked with several retrieval weights. Metrics
 * are document-level (a document ranks where its first chunk does): nDCG@10, recall@10, MRR@10.
 *
 * <p>Run: {@code java -cp core/target/classes:core/target/test-classes:<test classpath>
 * io.streamrag.core.rerank.SciFactRerankBenchmark DATASET_DIR [queries=150] [docs=600] [mineDepth=5]}.
 */
public final class SciFactRerankBenchmark {
    private static final String COLLECTION = "scifact";
    private static final int DEPTH = 20;
    private static final double[] WEIGHTS = {0, 0.5, 1, 2};

    private SciFactRerankBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path dataset = Path.of(args[0]);
        int queryCount = args.length > 1 ? Integer.parseInt(args[1]) : 150;
        int docTarget = args.length > 2 ? Integer.parseInt(args[2]) : 600;
        int mineDepth = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        ObjectMapper json = new ObjectMapper();

        Map<String, JsonNode> corpus = new LinkedHashMap<>();
        Path corpusFile = dataset.resolve("corpus.jsonl.gz");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(corpusFile)), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    JsonNode doc = json.readTree(line);
                    corpus.put(doc.get("_id").asText(), doc);
                }
            }
        }
        Map<String, String> queryText = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dataset.resolve("queries.jsonl"))) {
            if (!line.isBlank()) {
                JsonNode q = json.readTree(line);
                queryText.put(q.get("_id").asText(), q.get("text").asText());
            }
        }
        Map<Integer, Set<String>> qrels = new TreeMap<>();
        for (String line : Files.readAllLines(dataset.resolve("qrels/test.tsv"))) {
            String[] f = line.split("\t");
            if (f.length == 3 && !f[0].equals("query-id") && Integer.parseInt(f[2]) > 0) {
                qrels.computeIfAbsent(Integer.parseInt(f[0]), k -> new LinkedHashSet<>()).add(f[1]);
            }
        }
        List<Integer> queries = qrels.keySet().stream().limit(queryCount).toList();

        Path work = Files.createTempDirectory("scifact-rerank");
        Set<String> subset = new LinkedHashSet<>();
        queries.forEach(q -> subset.addAll(qrels.get(q)));
        int relevant = subset.size();
        // Hard negatives: BM25's top mineDepth over the whole corpus (a constant placeholder vector, never searched).
        try (LuceneShardStore mining = LuceneShardStore.builder().dataDir(work.resolve("mining")).dimension(2)
                .build()) {
            for (JsonNode doc : corpus.values()) {
                String id = doc.get("_id").asText();
                Chunk chunk = new Chunk(COLLECTION + "/" + id + "#0@1", COLLECTION, id, 1, 0,
                        doc.get("title").asText(), doc.get("text").asText(), Map.of());
                mining.replaceDocument(COLLECTION, id, List.of(new IndexedChunk(chunk, new float[] {1, 0})));
            }
            mining.commit();
            for (int q : queries) {
                for (ScoredChunk hit : mining.searchKeyword(queryText.get(Integer.toString(q)), mineDepth,
                        SearchFilter.collection(COLLECTION))) {
                    subset.add(hit.chunk().docId());
                }
            }
        }
        int mined = subset.size() - relevant;
        List<String> others = new ArrayList<>(corpus.keySet());
        others.removeAll(subset);
        java.util.Collections.shuffle(others, new Random(42));
        for (String id : others) {
            if (subset.size() >= docTarget) {
                break;
            }
            subset.add(id);
        }
        System.out.printf(Locale.ROOT, "subset: %d queries, %d docs (%d relevant, %d BM25-mined, %d random)%n",
                queries.size(), subset.size(), relevant, mined, subset.size() - relevant - mined);

        try (OnnxEmbedder embedder = OnnxEmbedder.builder(EmbeddingModel.BGE_SMALL_EN_V15_Q).batchSize(16).build();
             LuceneShardStore store = LuceneShardStore.builder().dataDir(work.resolve("index"))
                     .dimension(embedder.dimension()).build()) {
            TokenChunker chunker = TokenChunker.forEmbedder(embedder);
            long start = System.nanoTime();
            int chunks = 0;
            for (String id : subset) {
                JsonNode doc = corpus.get(id);
                List<Chunk> docChunks = chunker.chunk(new Document(COLLECTION, id, 1, doc.get("title").asText(),
                        doc.get("text").asText(), Map.of()));
                List<float[]> vectors = embedder.embedPassages(docChunks.stream().map(Chunk::embeddingText).toList());
                List<IndexedChunk> indexed = new ArrayList<>();
                for (int i = 0; i < docChunks.size(); i++) {
                    indexed.add(new IndexedChunk(docChunks.get(i), vectors.get(i)));
                }
                store.replaceDocument(COLLECTION, id, indexed);
                chunks += docChunks.size();
            }
            store.commit();
            System.out.printf(Locale.ROOT, "indexed %d chunks in %.0f s%n", chunks, (System.nanoTime() - start) / 1e9);

            Map<String, List<List<String>>> runs = new LinkedHashMap<>();
            SentenceMaxSimReranker reranker = SentenceMaxSimReranker.create(embedder);
            long rerankNanos = 0;
            for (RetrievalMode mode : RetrievalMode.values()) {
                HybridQueryEngine engine = HybridQueryEngine.builder().embedder(embedder).store(store)
                        .retrievalMode(mode).build();
                for (int q : queries) {
                    List<ScoredChunk> hits = engine.retrieve(
                            new Query(COLLECTION, queryText.get(Integer.toString(q)), Map.of(), DEPTH));
                    runs.computeIfAbsent(mode.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(docs(hits));
                    if (mode == RetrievalMode.HYBRID) {
                        long t = System.nanoTime();
                        double[] maxSim = reranker.maxSimilarities(queryText.get(Integer.toString(q)), hits);
                        rerankNanos += System.nanoTime() - t;
                        for (double w : WEIGHTS) {
                            List<ScoredChunk> reranked = RerankOrder.best(hits,
                                    SentenceMaxSimReranker.fusedScores(maxSim, w), hits.size());
                            runs.computeIfAbsent(String.format(Locale.ROOT, "hybrid+maxsim (w=%.1f)", w),
                                    k -> new ArrayList<>()).add(docs(reranked));
                        }
                    }
                }
                engine.close();
            }
            System.out.printf(Locale.ROOT, "max-sim rerank of the top %d: %.0f ms a query on average (cold cache"
                    + " on first sight of a chunk)%n", DEPTH, rerankNanos / 1e6 / queries.size());
            System.out.println();
            System.out.println("| run | nDCG@10 | recall@10 | MRR@10 |");
            System.out.println("| --- | ---: | ---: | ---: |");
            for (Map.Entry<String, List<List<String>>> run : runs.entrySet()) {
                double ndcg = 0;
                double recall = 0;
                double mrr = 0;
                for (int i = 0; i < queries.size(); i++) {
                    Set<String> rel = qrels.get(queries.get(i));
                    List<String> ranked = run.getValue().get(i);
                    ndcg += ndcgAt10(ranked, rel);
                    recall += recallAt10(ranked, rel);
                    mrr += mrrAt10(ranked, rel);
                }
                int n = queries.size();
                System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |%n", run.getKey(), ndcg / n, recall / n,
                        mrr / n);
            }
        }
    }

    /** Document ids in order of their first chunk. */
    private static List<String> docs(List<ScoredChunk> hits) {
        return new ArrayList<>(new LinkedHashSet<>(hits.stream().map(h -> h.chunk().docId()).toList()));
    }

    private static double ndcgAt10(List<String> ranked, Set<String> relevant) {
        double dcg = 0;
        for (int i = 0; i < Math.min(10, ranked.size()); i++) {
            if (relevant.contains(ranked.get(i))) {
                dcg += 1 / (Math.log(i + 2) / Math.log(2));
            }
        }
        double ideal = 0;
        for (int i = 0; i < Math.min(10, relevant.size()); i++) {
            ideal += 1 / (Math.log(i + 2) / Math.log(2));
        }
        return dcg / ideal;
    }

    private static double recallAt10(List<String> ranked, Set<String> relevant) {
        long found = ranked.stream().limit(10).filter(relevant::contains).count();
        return (double) found / relevant.size();
    }

    private static double mrrAt10(List<String> ranked, Set<String> relevant) {
        for (int i = 0; i < Math.min(10, ranked.size()); i++) {
            if (relevant.contains(ranked.get(i))) {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }
}
