package io.streamrag.cli;

import io.streamrag.cli.dev.DevSettings;
import io.streamrag.cli.dev.DevStack;
import io.streamrag.cli.eval.BeirDataset;
import io.streamrag.cli.eval.IngestProgress;
import io.streamrag.client.StackUnreachableException;
import io.streamrag.client.StreamragClient;
import io.streamrag.client.VersionClock;
import io.streamrag.core.corpus.SourceDocument;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.embed.OnnxEmbedder;
import io.streamrag.core.eval.EvalMode;
import io.streamrag.core.eval.EvalTable;
import io.streamrag.core.eval.RetrievalEvaluation;
import io.streamrag.core.eval.RunResult;
import io.streamrag.core.query.HybridQueryEngine;
import io.streamrag.core.rerank.CrossEncoderReranker;
import io.streamrag.core.rerank.Reranker;
import io.streamrag.core.rerank.SentenceMaxSimReranker;
import io.streamrag.core.search.ReciprocalRankFusion;
import io.streamrag.core.store.ElasticsearchVectorStore;
import io.streamrag.core.store.StoreSettings;
import io.streamrag.core.store.VectorStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamrag eval}: indexes a BEIR-format dataset through the normal ingest path (documents to
 * rag.documents, chunked, embedded and indexed by the Flink job, exactly as {@code submit --wait}) and prints
 * nDCG@10, recall@10, recall@100 and MRR@10 per retrieval mode, scored with the query path's own retrieval code
 * over a read-only view of the index.
 *
 * <p>By default it starts the embedded stack ({@link DevStack}) in a temporary directory (or {@code --data-dir});
 * {@code --bootstrap} with {@code --index-dir} (or {@code --store elasticsearch} and its hosts) uses a running stack
 * instead, and {@code --skip-ingest} scores what
 * the index already holds.
 */
@Command(name = "eval", description = "Index a BEIR-format dataset and print retrieval quality per mode.")
final class EvalCommand implements Callable<Integer> {
    /** Documents per submission: each batch waits until searchable, which paces progress lines and the timeout. */
    static final int BATCH_DOCUMENTS = 250;
    /** Time to wait for the first documents regardless of corpus size: the job and the model warm up. */
    private static final Duration WAIT_BASE = Duration.ofMinutes(2);

    @Spec
    CommandSpec spec;

    @Option(names = "--dataset", required = true, paramLabel = "DIR",
            description = "BEIR dataset directory: corpus.jsonl[.gz], queries.jsonl, qrels/test.tsv")
    Path dataset;

    @Option(names = "--collection", required = true, paramLabel = "C",
            description = "Collection to index the corpus into")
    String collection;

    @Option(names = "--mode", split = ",", paramLabel = "MODE",
            defaultValue = "bm25,dense,hybrid,hybrid+rerank",
            description = "Modes to score, comma-separated (default: ${DEFAULT-VALUE})")
    List<String> modes;

    @Option(names = "--limit-docs", paramLabel = "N",
            description = "Index only the first N documents plus every document judged relevant (quick runs)")
    Integer limitDocs;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory of the embedded stack (default: a temporary one, deleted afterwards)")
    Path dataDir;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka of a running stack to index through (needs --index-dir); default: start an "
                    + "embedded stack")
    String bootstrap;

    @Option(names = "--index-dir", paramLabel = "DIR",
            description = "The running stack's index directory, read to score (with --bootstrap or --skip-ingest)")
    Path indexDir;

    @Option(names = "--store", paramLabel = "KIND", defaultValue = "lucene",
            description = "The store to score against: lucene (an index directory) or elasticsearch (with "
                    + "--bootstrap or --skip-ingest; no --index-dir). Default: ${DEFAULT-VALUE}")
    String storeKind;

    @Option(names = "--store-elasticsearch-hosts", split = ",", paramLabel = "URL",
            description = "HTTP addresses of the Elasticsearch nodes the stack writes, http://host:9200, "
                    + "comma-separated (with --store elasticsearch)")
    List<String> elasticsearchHosts = List.of();

    @Option(names = "--store-elasticsearch-index-prefix", paramLabel = "P",
            description = "Prefix of the stack's Elasticsearch index names. Default: ${DEFAULT-VALUE}",
            defaultValue = ElasticsearchVectorStore.DEFAULT_INDEX_PREFIX)
    String elasticsearchIndexPrefix;

    @Option(names = "--skip-ingest",
            description = "Score what the index already holds for the collection (e.g. from an earlier eval with "
                    + "--data-dir); submits nothing")
    boolean skipIngest;

    @Option(names = "--model", paramLabel = "ID",
            description = "Embedding model the index was built with, used for queries (default: ${DEFAULT-VALUE}, "
                    + "the ingest job's default)")
    String modelId = EmbeddingModel.DEFAULT.id();

    @Option(names = "--candidates", paramLabel = "N",
            description = "Hits each retriever contributes to hybrid fusion, at least (default: ${DEFAULT-VALUE})")
    int candidates = HybridQueryEngine.DEFAULT_CANDIDATES;

    @Option(names = "--rrf-k", paramLabel = "K",
            description = "Reciprocal rank fusion constant (default: ${DEFAULT-VALUE})")
    int rrfK = ReciprocalRankFusion.DEFAULT_K;

    @Option(names = "--reranker", paramLabel = "NAME", defaultValue = "none",
            description = "Reranker of the hybrid+rerank mode: none, sentence-maxsim (the embedded default, no extra "
                    + "model) or cross-encoder (needs --reranker-model) (default: ${DEFAULT-VALUE})")
    String rerankerName;

    @Option(names = "--reranker-model", paramLabel = "DIR",
            description = "Directory with the cross-encoder's model.onnx and tokenizer.json")
    Path rerankerModel;

    @Option(names = "--rerank-depth", paramLabel = "N",
            description = "Hybrid chunks the reranker reorders per query (default: ${DEFAULT-VALUE}, as the query "
                    + "path)")
    int rerankDepth = HybridQueryEngine.DEFAULT_RERANK_DEPTH;

    @Option(names = "--seconds-per-doc", paramLabel = "S",
            description = "Indexing wait budget per document, on top of 2 minutes (default: ${DEFAULT-VALUE})")
    double secondsPerDocument = 1.0;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<EvalMode> evalModes = parseModes();
        checkOptions();

        BeirDataset data = BeirDataset.read(dataset);
        if (!data.corpusProblems().isEmpty()) {
            err.println("skipped " + data.corpusProblems().size() + " unreadable corpus lines, first: "
                    + data.corpusProblems().get(0));
        }
        if (!data.unanswerable().isEmpty()) {
            err.println("skipped " + data.unanswerable().size() + " judged queries without a text in queries.jsonl, "
                    + "first: " + data.unanswerable().iterator().next());
        }
        List<SourceDocument> corpus = limitDocs == null ? data.corpus() : data.limitedCorpus(limitDocs);
        out.println("dataset " + dataset + ": " + corpus.size() + " of " + data.corpus().size() + " documents, "
                + data.queries().size() + " judged queries");
        out.flush();

        Path tempDir = null;
        StoreSettings store;
        try {
            if (StoreSettings.Kind.fromConfigName(storeKind) == StoreSettings.Kind.ELASTICSEARCH) {
                store = StoreSettings.elasticsearch(elasticsearchHosts, elasticsearchIndexPrefix);
                if (!skipIngest) {
                    ingest(bootstrap, corpus, out);
                }
            } else if (skipIngest) {
                store = StoreSettings.lucene(indexDir != null ? indexDir : dataDir.resolve("index"));
            } else if (bootstrap != null) {
                store = StoreSettings.lucene(indexDir);
                ingest(bootstrap, corpus, out);
            } else {
                Path stackDir = dataDir;
                if (stackDir == null) {
                    tempDir = Files.createTempDirectory("streamrag-eval");
                    stackDir = tempDir;
                }
                store = StoreSettings.lucene(stackDir.resolve("index"));
                out.println("starting the embedded stack in " + stackDir);
                out.flush();
                try (DevStack stack = DevStack.start(new DevSettings(stackDir, 0, 0))) {
                    ingest(stack.bootstrapServers(), corpus, out);
                }
            }
            List<RunResult> results = score(store, data, evalModes, out);
            out.println();
            out.print(EvalTable.format(results));
            out.flush();
        } finally {
            if (tempDir != null) {
                deleteRecursively(tempDir);
            }
        }
        return 0;
    }

    private List<EvalMode> parseModes() {
        Set<EvalMode> parsed = new LinkedHashSet<>();
        for (String label : modes) {
            parsed.add(EvalMode.fromLabel(label));
        }
        return new ArrayList<>(parsed);
    }

    private void checkOptions() {
        if (limitDocs != null && limitDocs <= 0) {
            throw new IllegalArgumentException("--limit-docs must be > 0, got " + limitDocs);
        }
        if (secondsPerDocument <= 0) {
            throw new IllegalArgumentException("--seconds-per-doc must be > 0, got " + secondsPerDocument);
        }
        StoreSettings.Kind kind = StoreSettings.Kind.fromConfigName(storeKind);
        if (kind == StoreSettings.Kind.ELASTICSEARCH) {
            if (elasticsearchHosts.isEmpty()) {
                throw new IllegalArgumentException("--store elasticsearch needs --store-elasticsearch-hosts");
            }
            if (bootstrap == null && !skipIngest) {
                throw new IllegalArgumentException("--store elasticsearch needs --bootstrap (a stack that writes "
                        + "to it) or --skip-ingest: the embedded stack writes Lucene");
            }
            if (indexDir != null || dataDir != null) {
                throw new IllegalArgumentException("--index-dir and --data-dir name Lucene directories; "
                        + "--store elasticsearch reads --store-elasticsearch-hosts");
            }
        } else if (!elasticsearchHosts.isEmpty()) {
            throw new IllegalArgumentException("--store-elasticsearch-hosts needs --store elasticsearch");
        }
        if (kind == StoreSettings.Kind.LUCENE && bootstrap != null && indexDir == null) {
            throw new IllegalArgumentException("--bootstrap needs --index-dir: scoring reads the stack's index "
                    + "directory");
        }
        if (kind == StoreSettings.Kind.LUCENE && skipIngest && indexDir == null && dataDir == null) {
            throw new IllegalArgumentException("--skip-ingest needs --index-dir or --data-dir: the index to score");
        }
        if (!List.of("none", "sentence-maxsim", "cross-encoder").contains(rerankerName)) {
            throw new IllegalArgumentException("unknown --reranker '" + rerankerName
                    + "'; valid: none, sentence-maxsim, cross-encoder");
        }
        if (rerankerName.equals("cross-encoder")) {
            if (rerankerModel == null) {
                throw new IllegalArgumentException("--reranker cross-encoder needs --reranker-model DIR");
            }
            CrossEncoderReranker.validateModelDir(rerankerModel);
        }
        if (rerankDepth <= 0) {
            throw new IllegalArgumentException("--rerank-depth must be > 0, got " + rerankDepth);
        }
        if (!skipIngest && bootstrap == null && indexDir != null) {
            throw new IllegalArgumentException("--index-dir needs --bootstrap or --skip-ingest; the embedded stack "
                    + "keeps its index under --data-dir");
        }
    }

    /**
     * Submits the corpus in batches through Kafka, as {@code submit --wait} does, printing progress after each
     * batch. The wait is bounded by one budget proportional to the corpus size.
     */
    private void ingest(String bootstrapServers, List<SourceDocument> corpus, PrintWriter out) {
        Duration budget = WAIT_BASE.plusMillis(Math.round(corpus.size() * secondsPerDocument * 1000));
        long deadline = System.nanoTime() + budget.toNanos();
        out.println("indexing " + corpus.size() + " documents into collection " + collection + " through "
                + bootstrapServers + " (waiting at most " + budget.toMinutes() + " min)");
        out.flush();
        IngestProgress progress = new IngestProgress(corpus.size());
        VersionClock clock = new VersionClock();
        int indexed = 0;
        try (StreamragClient client = StreamragClient.connect(bootstrapServers, Duration.ofSeconds(10))) {
            for (int from = 0; from < corpus.size(); from += BATCH_DOCUMENTS) {
                List<SourceDocument> batch = corpus.subList(from, Math.min(corpus.size(), from + BATCH_DOCUMENTS));
                Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                try {
                    SubmitCommand.submit(client, collection, batch, clock, true, left);
                } catch (StackUnreachableException e) {
                    throw new CommandFailedException("indexing stopped after " + indexed + " of " + corpus.size()
                            + " documents (budget " + budget.toMinutes() + " min, --seconds-per-doc raises it): "
                            + e.getMessage());
                }
                indexed += batch.size();
                out.println(progress.line(indexed));
                out.flush();
            }
        }
    }

    /** Scores through the store SPI, opened as the query processors open it. */
    private List<RunResult> score(StoreSettings storeSettings, BeirDataset data, List<EvalMode> evalModes,
                                  PrintWriter out) {
        boolean needsEmbedder = evalModes.stream().anyMatch(m -> m != EvalMode.BM25);
        boolean reranks = evalModes.contains(EvalMode.HYBRID_RERANK) && !rerankerName.equals("none");
        EmbeddingModel model = EmbeddingModel.fromId(modelId);
        List<RunResult> results = new ArrayList<>();
        try (OnnxEmbedder embedder = needsEmbedder ? OnnxEmbedder.create(model) : null;
             CrossEncoderReranker crossEncoder = reranks && rerankerName.equals("cross-encoder")
                     ? CrossEncoderReranker.builder(rerankerModel).build() : null;
             VectorStore store = storeSettings.openReader(model.dimension())) {
            if (store.recordedSettings(collection).isEmpty()) {
                throw new CommandFailedException("collection " + collection + " does not exist in "
                        + storeSettings);
            }
            Optional<Reranker> reranker = !reranks ? Optional.empty()
                    : crossEncoder != null ? Optional.of(crossEncoder)
                    : Optional.of(SentenceMaxSimReranker.create(embedder));
            RetrievalEvaluation.Builder evaluation = RetrievalEvaluation.builder()
                    .store(store)
                    .collection(collection)
                    .candidates(candidates)
                    .rrfK(rrfK)
                    .reranker(reranker)
                    .rerankDepth(rerankDepth);
            if (embedder != null) {
                evaluation.embedder(embedder);
            }
            RetrievalEvaluation runner = evaluation.build();
            for (EvalMode mode : evalModes) {
                out.println("scoring " + mode.label() + " on " + data.queries().size() + " queries"
                        + (mode.reranked() && reranker.isPresent() ? " (reranker " + rerankerName + ", depth "
                        + rerankDepth + ")" : ""));
                out.flush();
                results.add(runner.run(mode, data.queries(), data.qrels()));
            }
        }
        return results;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
