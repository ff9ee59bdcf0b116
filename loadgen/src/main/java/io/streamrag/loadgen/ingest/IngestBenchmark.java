package io.streamrag.loadgen.ingest;

import io.streamrag.core.embed.EmbeddingDevice;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.embed.OnnxEmbedder;
import io.streamrag.ingest.IngestSettings;
import io.streamrag.loadgen.query.QueryBenchmark;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEvents;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.Topics;
import io.streamrag.testkit.JavaProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The ingest benchmark (not a test): in one run, side by side,
 * <ol type="a">
 *   <li>the raw throughput of the embedding model alone on this machine, on the chunks of the benchmark corpus:
 *       one call per document (the job before micro-batching) and batched (the ceiling);</li>
 *   <li>end-to-end ingest throughput, Kafka → Flink → chunk + embed → Lucene shards → {@code IndexChange} readable
 *       with {@code read_committed}, for the job without batching across documents ({@code --embed-max-wait-ms 0})
 *       and with it, each in a fresh child JVM ({@link IngestBenchStack});</li>
 *   <li>the ratio of (b) to (a);</li>
 *   <li>freshness p50/p99 while documents are offered open-loop at a fixed fraction (70%) of the measured
 *       end-to-end capacity: {@code commitTime − sourceEventTime} and the time until a consumer reads the
 *       {@code IndexChange};</li>
 *   <li>the peak resident memory ({@code VmHWM}) of the child JVM (Kafka broker + Flink MiniCluster + model).</li>
 * </ol>
 * Prints a Markdown table (and writes it to {@code --report FILE}). Run it with {@code bin/bench-ingest}; see
 * {@code docs/benchmarks.md}. {@code --embed-only} runs only (a), e.g. with {@code --device cuda} on a GPU machine.
 *
 * <p>{@code --parallelisms 1,2} runs only the end-to-end part (b), with micro-batching, once per listed job
 * parallelism, back to back in one invocation, each in a fresh child JVM (a list such as {@code 1,2,1,2}
 * brackets the drift of a shared machine), and prints chunks/s per parallelism and the ratio to the first.
 */
public final class IngestBenchmark {
    private static final String BULK = "bench-bulk";
    private static final String SUSTAINED = "bench-sustained";
    private static final String WARMUP = "bench-warmup";
    private static final int WARMUP_DOCS = 4;

    private final Options options;
    private final StringBuilder report = new StringBuilder();

    private IngestBenchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-ingest: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.corpus == null) {
            System.err.println("bench-ingest: --corpus FILE is required (a BEIR corpus.jsonl[.gz], e.g. SciFact's)");
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        new IngestBenchmark(options).run();
        // the Kafka clients and the embedder leave threads behind; the report is out
        System.exit(0);
    }

    private void run() throws Exception {
        List<CorpusDocument> corpus = CorpusDocument.read(options.corpus, options.docs + options.poolDocs);
        if (corpus.size() < options.docs + WARMUP_DOCS) {
            throw new IllegalArgumentException(options.corpus + " has only " + corpus.size() + " documents");
        }
        List<CorpusDocument> bulk = corpus.subList(0, options.docs);
        List<CorpusDocument> pool = corpus.subList(options.docs, corpus.size());
        log("corpus: %d documents for (a)/(b) from %s; %s", bulk.size(), options.corpus, machine());
        if (options.versusPeer > 0) {
            if (options.queries == null) {
                throw new IllegalArgumentException("--versus-peer needs --queries FILE (a BEIR queries.jsonl, e.g."
                        + " SciFact's), for question embedding");
            }
            inWorkDir(work -> compareWithPeer(work, bulk, pool));
            return;
        }
        if (!options.parallelisms.isEmpty()) {
            // (a) is not part of this comparison: every row embeds with the same settings
            inWorkDir(work -> compareParallelisms(work, bulk, pool));
            return;
        }

        log("(a) embedding %d documents with %s alone on %s, %d intra-op threads ...", bulk.size(),
                options.model.id(), options.device.id(), options.embedThreads);
        EmbedderThroughput.Result a = EmbedderThroughput.measure(bulk, embedders(), options.batchChunks,
                IngestSettings.DEFAULT_CHUNK_MAX_TOKENS, IngestSettings.DEFAULT_CHUNK_OVERLAP_TOKENS, true);
        log("(a) %d chunks (%.2f per document) on %s: one call per document %.1f chunks/s, batches of <= %d %.1f"
                + " chunks/s", a.chunks(), a.chunksPerDoc(), a.device().id(), a.perDocument(), options.batchChunks,
                a.batched());
        if (options.embedOnly) {
            printEmbedOnly(a);
            return;
        }

        inWorkDir(work -> runStacks(a, work, bulk, pool));
    }

    /** Parts (b) to (e), each stack in a fresh child JVM with its data under {@code work}. */
    private void runStacks(EmbedderThroughput.Result a, Path work, List<CorpusDocument> bulk,
                           List<CorpusDocument> pool) throws Exception {
        BulkResult before = null;
        OptionalLong beforeRss = OptionalLong.empty();
        if (!options.skipBefore) {
            log("(b) before: fresh stack, --embed-max-wait-ms 0 (one embedding call per document) ...");
            try (StackProcess stack = startStack(work.resolve("before"), 0);
                 IndexChangeTail tail = new IndexChangeTail(stack.bootstrapServers());
                 KafkaProducer<String, DocumentEvent> producer = producer(stack.bootstrapServers())) {
                before = bulk(producer, tail, bulk, pool);
                beforeRss = stack.peakRssBytes();
            }
            log("(b) before: %s", before);
        }
        log("(b) after: fresh stack, --embed-batch-chunks %d --embed-max-wait-ms %d ...", options.batchChunks,
                options.maxWaitMs);
        BulkResult after;
        SustainedResult sustained;
        OptionalLong afterRss;
        try (StackProcess stack = startStack(work.resolve("after"), options.maxWaitMs);
             IndexChangeTail tail = new IndexChangeTail(stack.bootstrapServers());
             KafkaProducer<String, DocumentEvent> producer = producer(stack.bootstrapServers())) {
            after = bulk(producer, tail, bulk, pool);
            log("(b) after: %s", after);
            double docsPerSecond = options.load * after.chunksPerSecond() / after.chunksPerDoc();
            log("(d) offering %.2f documents/s (%.0f%% of %.1f chunks/s) open-loop for %d s ...", docsPerSecond,
                    options.load * 100, after.chunksPerSecond(), options.sustainSeconds);
            sustained = sustained(producer, tail, pool, docsPerSecond);
            afterRss = stack.peakRssBytes();
        }
        // The load of a shared machine drifts over minutes: measure the ceiling again and use the mean of both.
        log("(a) again, batched only, to bracket the stack runs ...");
        EmbedderThroughput.Result again = EmbedderThroughput.measure(bulk, embedders(), options.batchChunks,
                IngestSettings.DEFAULT_CHUNK_MAX_TOKENS, IngestSettings.DEFAULT_CHUNK_OVERLAP_TOKENS, false);
        log("(a) again: batches of <= %d %.1f chunks/s", options.batchChunks, again.batched());
        printTable(a, again.batched(), before, beforeRss, after, sustained, afterRss);
    }

    /** Part (b) with micro-batching once per listed parallelism, each in a fresh stack, then the table. */
    private void compareParallelisms(Path work, List<CorpusDocument> bulk, List<CorpusDocument> pool)
            throws Exception {
        String machineAtStart = machine();
        List<String> rows = new ArrayList<>();
        Double first = null;
        for (int run = 0; run < options.parallelisms.size(); run++) {
            int parallelism = options.parallelisms.get(run);
            log("(b) parallelism %d: fresh stack, --embed-batch-chunks %d --embed-max-wait-ms %d ...", parallelism,
                    options.batchChunks, options.maxWaitMs);
            BulkResult result;
            OptionalLong rss;
            try (StackProcess stack = startStack(work.resolve("p" + parallelism + "-run" + run), options.maxWaitMs,
                    parallelism);
                 IndexChangeTail tail = new IndexChangeTail(stack.bootstrapServers());
                 KafkaProducer<String, DocumentEvent> producer = producer(stack.bootstrapServers())) {
                result = bulk(producer, tail, bulk, pool);
                rss = stack.peakRssBytes();
            }
            log("(b) parallelism %d: %s", parallelism, result);
            if (first == null) {
                first = result.chunksPerSecond();
            }
            rows.add(String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.2f | %s |", run + 1, parallelism,
                    result.chunksPerSecond(), result.chunksPerSecondToCommit(), result.chunksPerSecond() / first,
                    mib(rss)));
        }
        line("| run | parallelism | end to end, chunks/s (%d documents) | until the last store commit, chunks/s |"
                + " ratio to run 1 | peak RSS of the stack JVM |", options.docs);
        line("| ---: | ---: | ---: | ---: | ---: | ---: |");
        rows.forEach(row -> line("%s", row));
        line("");
        line("Settings: %s on %s, %d intra-op threads per embedder subtask, --embed-batch-chunks %d,"
                        + " --embed-max-wait-ms %d, --checkpoint-interval-ms %d, child heap -Xmx%s. %s",
                options.model.id(), options.device.id(), options.embedThreads, options.batchChunks, options.maxWaitMs,
                options.checkpointIntervalMs, options.childHeap, machineAtStart);
        flushReport();
    }

    /** The embedder settings the job's chunk-embed task uses with these options. */
    private OnnxEmbedder.Builder embedders() {
        OnnxEmbedder.Builder b = OnnxEmbedder.builder(options.model).intraOpThreads(options.embedThreads)
                .interOpThreads(1).device(options.device);
        if (options.embedBatchSize != IngestSettings.AUTO) {
            b.batchSize(options.embedBatchSize);
        }
        if (options.embedConcurrency != IngestSettings.AUTO) {
            b.concurrency(options.embedConcurrency);
        }
        return b;
    }

    /**
     * streamrag and the peer ({@link PeerIngest}) alternately on the same documents, each run in a fresh JVM, the
     * ceiling (the embedder alone with the job's settings) before and after, and question embedding in both.
     */
    private void compareWithPeer(Path work, List<CorpusDocument> bulk, List<CorpusDocument> pool) throws Exception {
        String machineAtStart = machine();
        log("ceiling: %s alone with the job's settings ...", options.model.id());
        EmbedderThroughput.Result ceilingBefore = EmbedderThroughput.measure(bulk, embedders(), options.batchChunks,
                IngestSettings.DEFAULT_CHUNK_MAX_TOKENS, IngestSettings.DEFAULT_CHUNK_OVERLAP_TOKENS, false);
        log("ceiling: %.1f chunks/s", ceilingBefore.batched());
        List<BulkResult> ours = new ArrayList<>();
        List<PeerResult> peers = new ArrayList<>();
        for (int round = 1; round <= options.versusPeer; round++) {
            log("round %d: streamrag, fresh stack ...", round);
            try (StackProcess stack = startStack(work.resolve("streamrag-" + round), options.maxWaitMs);
                 IndexChangeTail tail = new IndexChangeTail(stack.bootstrapServers());
                 KafkaProducer<String, DocumentEvent> producer = producer(stack.bootstrapServers())) {
                ours.add(bulk(producer, tail, bulk, pool));
            }
            log("round %d: streamrag %s", round, ours.get(ours.size() - 1));
            log("round %d: peer, fresh JVM ...", round);
            peers.add(runPeer(work.resolve("peer-" + round + ".log"), bulk.size()));
            log("round %d: peer %s", round, peers.get(peers.size() - 1));
        }
        EmbedderThroughput.Result ceilingAfter = EmbedderThroughput.measure(bulk, embedders(), options.batchChunks,
                IngestSettings.DEFAULT_CHUNK_MAX_TOKENS, IngestSettings.DEFAULT_CHUNK_OVERLAP_TOKENS, false);
        double ceiling = (ceilingBefore.batched() + ceilingAfter.batched()) / 2;
        Histogram questions = questionEmbedding();

        line("| round | streamrag: documents/s | chunks/s | of the ceiling | peer: documents/s | chunks/s |"
                + " streamrag / peer, documents/s |");
        line("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        double ratioSum = 0;
        double ofCeilingSum = 0;
        for (int i = 0; i < ours.size(); i++) {
            BulkResult o = ours.get(i);
            PeerResult p = peers.get(i);
            double oursDocs = o.docs() / o.secondsToVisible();
            ratioSum += oursDocs / p.docsPerSecond();
            ofCeilingSum += o.chunksPerSecond() / ceiling;
            line("| %d | %.2f | %.1f | %.2f | %.2f | %.1f | %.2f |", i + 1, oursDocs, o.chunksPerSecond(),
                    o.chunksPerSecond() / ceiling, p.docsPerSecond(), p.chunksPerSecond(),
                    oursDocs / p.docsPerSecond());
        }
        line("| mean | | | **%.2f** | | | **%.2f** |", ofCeilingSum / ours.size(), ratioSum / ours.size());
        line("");
        line("%d documents; streamrag %d chunks (%.2f per document), the peer %d chunks. Ceiling: %s alone with the"
                        + " job's settings (%s), %.1f chunks/s before and %.1f after the rounds, mean %.1f.",
                bulk.size(), ours.get(0).chunks(), ours.get(0).chunksPerDoc(), peers.get(0).chunks(),
                options.model.id(), ceilingBefore.settings(), ceilingBefore.batched(), ceilingAfter.batched(),
                ceiling);
        PeerResult lastPeer = peers.get(peers.size() - 1);
        line("");
        line("| question embedding, %d questions one at a time | p50 | p99 |", options.questions);
        line("| --- | ---: | ---: |");
        line("| streamrag (`OnnxEmbedder`, the query processor's settings: one intra-op thread, query instruction)"
                + " | %.1f ms | %.1f ms |", questions.getValueAtPercentile(50) / 1000.0,
                questions.getValueAtPercentile(99) / 1000.0);
        line("| peer (`BgeSmallEnV15QuantizedEmbeddingModel.embed`, last round) | %.1f ms | %.1f ms |",
                lastPeer.questionP50Ms(), lastPeer.questionP99Ms());
        line("");
        line("Settings: --embed-threads %d --embed-batch-size %d --embed-concurrency %d (0: the device's default)"
                        + " --embed-batch-chunks %d --embed-max-wait-ms %d, parallelism %d, checkpoints every %d ms,"
                        + " child heaps -Xmx%s; the peer with %d threads. %s", options.embedThreads,
                options.embedBatchSize, options.embedConcurrency, options.batchChunks, options.maxWaitMs,
                options.parallelism, options.checkpointIntervalMs, options.childHeap, options.peerThreads,
                machineAtStart);
        flushReport();
    }

    /** One run of {@link PeerIngest} in a fresh JVM. */
    private PeerResult runPeer(Path log, int docs) throws IOException, InterruptedException {
        try (JavaProcess peer = JavaProcess.builder("peer", PeerIngest.class.getName())
                .jvmOptions("-Xmx" + options.childHeap)
                .args(options.corpus.toAbsolutePath().toString(), Integer.toString(docs), Integer.toString(options.peerThreads),
                        options.queries.toAbsolutePath().toString(), Integer.toString(options.questions))
                .log(log)
                .start()) {
            peer.awaitOutput(PeerIngest.RESULT, Duration.ofMinutes(30));
            return PeerResult.parse(peer.output());
        }
    }

    /** Question embedding as the query processor does it: one question per call, one intra-op thread. */
    private Histogram questionEmbedding() throws IOException {
        List<String> texts = QueryBenchmark.readQuestions(options.queries);
        Histogram micros = new Histogram(60_000_000L, 3);
        try (OnnxEmbedder embedder = OnnxEmbedder.builder(options.model).intraOpThreads(1).interOpThreads(1)
                .build()) {
            for (int i = 0; i < 10; i++) {
                embedder.embedQuery(texts.get(i % texts.size())); // warm-up
            }
            for (int i = 0; i < options.questions; i++) {
                long start = System.nanoTime();
                embedder.embedQuery(texts.get(i % texts.size()));
                micros.recordValue((System.nanoTime() - start) / 1000);
            }
        }
        return micros;
    }

    private StackProcess startStack(Path dataDir, long maxWaitMs) throws IOException, InterruptedException {
        return startStack(dataDir, maxWaitMs, options.parallelism);
    }

    private StackProcess startStack(Path dataDir, long maxWaitMs, int parallelism)
            throws IOException, InterruptedException {
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + options.childHeap));
        jvm.addAll(FlinkJvmOptions.OPENS);
        List<String> flags = new ArrayList<>(List.of(
                "--model", options.model.id(),
                "--embed-threads", Integer.toString(options.embedThreads),
                "--embed-batch-size", Integer.toString(options.embedBatchSize),
                "--embed-concurrency", Integer.toString(options.embedConcurrency),
                "--embed-batch-chunks", Integer.toString(options.batchChunks),
                "--embed-max-wait-ms", Long.toString(maxWaitMs),
                "--embed-device", options.device.id(),
                "--checkpoint-interval-ms", Long.toString(options.checkpointIntervalMs)));
        return StackProcess.start(jvm, dataDir, parallelism, flags);
    }

    /** Warms the stack up, then offers all of {@code docs} at once and waits until each is announced. */
    private BulkResult bulk(KafkaProducer<String, DocumentEvent> producer, IndexChangeTail tail,
                            List<CorpusDocument> docs, List<CorpusDocument> pool) throws InterruptedException {
        // the model loads when the task opens, and the first checkpoint and transaction take a while: keep them out
        send(producer, WARMUP, pool.subList(0, WARMUP_DOCS), 1, System.currentTimeMillis());
        await(tail, WARMUP, WARMUP_DOCS, Duration.ofMinutes(3));

        long start = System.currentTimeMillis();
        send(producer, BULK, docs, 1, start);
        List<IndexChangeTail.Received> changes = await(tail, BULK, docs.size(), Duration.ofMinutes(20));
        long lastReceived = 0;
        long lastCommit = 0;
        int chunks = 0;
        for (IndexChangeTail.Received r : changes) {
            lastReceived = Math.max(lastReceived, r.receivedMs());
            lastCommit = Math.max(lastCommit, r.change().getCommitTime().toEpochMilli());
            chunks += r.change().getAddedChunkIds().size();
        }
        return new BulkResult(docs.size(), chunks, (lastReceived - start) / 1000.0, (lastCommit - start) / 1000.0);
    }

    /** Offers documents open-loop at {@code docsPerSecond} for the configured time and collects their freshness. */
    private SustainedResult sustained(KafkaProducer<String, DocumentEvent> producer, IndexChangeTail tail,
                                      List<CorpusDocument> pool, double docsPerSecond) throws InterruptedException {
        int count = (int) Math.ceil(docsPerSecond * options.sustainSeconds);
        double intervalMs = 1000.0 / docsPerSecond;
        long start = System.currentTimeMillis() + 500;
        long lateSends = 0;
        for (int i = 0; i < count; i++) {
            // the event time is the intended send time, so a producer that falls behind cannot hide latency
            long intended = start + Math.round(i * intervalMs);
            long wait = intended - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            } else if (wait < -50) {
                lateSends++;
            }
            CorpusDocument doc = pool.get(i % pool.size());
            send(producer, SUSTAINED, List.of(doc), 1 + i / pool.size(), intended);
        }
        producer.flush();
        List<IndexChangeTail.Received> changes = await(tail, SUSTAINED, count,
                Duration.ofSeconds(options.sustainSeconds).plusMinutes(5));
        Histogram committed = new Histogram(TimeUnit.HOURS.toMillis(1), 3);
        Histogram visible = new Histogram(TimeUnit.HOURS.toMillis(1), 3);
        long chunks = 0;
        long lastReceived = start;
        for (IndexChangeTail.Received r : changes) {
            IndexChange c = r.change();
            long event = c.getSourceEventTime().toEpochMilli();
            committed.recordValue(Math.max(0, c.getCommitTime().toEpochMilli() - event));
            visible.recordValue(Math.max(0, r.receivedMs() - event));
            chunks += c.getAddedChunkIds().size();
            lastReceived = Math.max(lastReceived, r.receivedMs());
        }
        return new SustainedResult(count, docsPerSecond, chunks / ((lastReceived - start) / 1000.0), committed, visible,
                lateSends);
    }

    private static void send(KafkaProducer<String, DocumentEvent> producer, String collection,
                             List<CorpusDocument> docs, long version, long eventTimeMs) {
        for (CorpusDocument doc : docs) {
            DocumentEvent event = DocumentEvent.newBuilder(DocumentEvents.upsert(collection, doc.id(), version,
                    doc.title(), doc.text(), Map.of(), "scifact")).setEventTime(Instant.ofEpochMilli(eventTimeMs)).build();
            producer.send(new ProducerRecord<>(Topics.DOCUMENTS.name(), Topics.documentKey(collection, doc.id()),
                    event), (metadata, e) -> {
                        if (e != null) {
                            System.err.println("bench: sending " + doc.id() + " failed: " + e);
                        }
                    });
        }
        producer.flush();
    }

    /**
     * Waits until every one of {@code expected} distinct documents of {@code collection} has been announced (the
     * newest version of each counts once) and returns those announcements.
     */
    private static List<IndexChangeTail.Received> await(IndexChangeTail tail, String collection, int expected,
                                                        Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, IndexChangeTail.Received> latest = new HashMap<>();
            for (IndexChangeTail.Received r : tail.snapshot()) {
                IndexChange c = r.change();
                if (c.getCollection().equals(collection)) {
                    latest.merge(c.getDocId() + "@" + c.getVersion(), r, (x, y) -> x);
                }
            }
            if (latest.size() >= expected) {
                return new ArrayList<>(latest.values());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + latest.size() + " of " + expected + " documents of "
                        + collection + " were announced within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    private static KafkaProducer<String, DocumentEvent> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        return new KafkaProducer<>(props, Topics.DOCUMENTS.keySerde().serializer(),
                Topics.DOCUMENTS.valueSerde().serializer());
    }

    private void printEmbedOnly(EmbedderThroughput.Result a) throws IOException {
        line("| embedder alone (%s, %s, %d intra-op threads) | chunks/s |", options.model.id(), a.device().id(),
                options.embedThreads);
        line("| --- | ---: |");
        line("| one call per document (%.2f chunks each) | %.1f |", a.chunksPerDoc(), a.perDocument());
        line("| batches of <= %d chunks | %.1f |", options.batchChunks, a.batched());
        line("");
        line("%d chunks; %s", a.chunks(), machine());
        flushReport();
    }

    private void printTable(EmbedderThroughput.Result a, double batchedAgain, BulkResult before,
                            OptionalLong beforeRss, BulkResult after, SustainedResult d, OptionalLong afterRss)
            throws IOException {
        double ceiling = (a.batched() + batchedAgain) / 2;
        line("| | before: one embedding call per document | after: micro-batches across documents |");
        line("| --- | ---: | ---: |");
        line("| (a) embedder alone, chunks/s | %.1f | %.1f (batches of <= %d; %.1f again after the stack runs;"
                + " ceiling = mean %.1f) |", a.perDocument(), a.batched(), options.batchChunks, batchedAgain,
                ceiling);
        line("| (b) end to end, chunks/s (%d documents, %d chunks) | %s | %.1f |", after.docs(), after.chunks(),
                before == null ? "not run" : String.format(Locale.ROOT, "%.1f", before.chunksPerSecond()),
                after.chunksPerSecond());
        line("| (b) end to end, until the last store commit, chunks/s | %s | %.1f |",
                before == null ? "not run" : String.format(Locale.ROOT, "%.1f", before.chunksPerSecondToCommit()),
                after.chunksPerSecondToCommit());
        line("| (c) ratio (b) / (a) ceiling | %s | **%.2f** |",
                before == null ? "not run" : String.format(Locale.ROOT, "%.2f", before.chunksPerSecond() / ceiling),
                after.chunksPerSecond() / ceiling);
        line("| (d) offered open-loop: %.0f%% of (b) after, for %d s | | %.2f documents/s, %d documents (achieved"
                + " %.1f chunks/s; %d sends late by > 50 ms) |", options.load * 100, options.sustainSeconds,
                d.docsPerSecond(), d.docs(), d.chunksPerSecond(), d.lateSends());
        line("| (d) freshness commitTime − eventTime, p50 / p99 / max | | %s |", percentiles(d.committed()));
        line("| (d) freshness until readable (read_committed), p50 / p99 / max | | **%s** |",
                percentiles(d.visible()));
        line("| (e) peak RSS of the stack JVM (VmHWM: Kafka + Flink + model) | %s | %s |", mib(beforeRss),
                mib(afterRss));
        line("");
        line("Settings: %s on %s, %d intra-op threads, parallelism %d, --embed-batch-chunks %d, --embed-max-wait-ms"
                        + " %d (after), --checkpoint-interval-ms %d, child heap -Xmx%s. %s", options.model.id(),
                a.device().id(), options.embedThreads, options.parallelism, options.batchChunks, options.maxWaitMs,
                options.checkpointIntervalMs, options.childHeap, machine());
        flushReport();
    }

    /** Work that runs stacks with their data under a directory. */
    @FunctionalInterface
    private interface StackWork {
        void run(Path work) throws Exception;
    }

    /** Runs {@code work} in a fresh directory under {@code --work-dir}, deleted afterwards. */
    private void inWorkDir(StackWork work) throws Exception {
        Path dir = Files.createTempDirectory(options.workDir, "bench-ingest-");
        try {
            work.run(dir);
        } finally {
            deleteRecursively(dir);
        }
    }

    /** Best effort: the stacks' Kafka logs and indexes are only needed during the run. */
    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            log("could not delete %s: %s", dir, e);
        }
    }

    private static String percentiles(Histogram h) {
        return String.format(Locale.ROOT, "%d / %d / %d ms", h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                h.getMaxValue());
    }

    private static String mib(OptionalLong bytes) {
        return bytes.isPresent() ? (bytes.getAsLong() >> 20) + " MiB" : "not run";
    }

    private static String machine() {
        return String.format(Locale.ROOT, "machine: %d cores, %s %s, Java %s, load average at start %s",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"), loadAverage());
    }

    /** The 1, 5 and 15 minute load averages, for the report (this machine is shared). */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private void line(String format, Object... args) {
        String text = String.format(Locale.ROOT, format, args);
        report.append(text).append('\n');
    }

    private void flushReport() throws IOException {
        System.out.println();
        System.out.print(report);
        if (options.report != null) {
            Files.writeString(options.report, report.toString());
        }
    }

    private static void log(String format, Object... args) {
        System.err.println("bench: " + String.format(Locale.ROOT, format, args));
    }

    /**
     * The outcome of offering a corpus at once.
     *
     * @param secondsToVisible from the first send until the last announcement was read
     * @param secondsToCommit  from the first send until the last store commit
     */
    record BulkResult(int docs, int chunks, double secondsToVisible, double secondsToCommit) {
        double chunksPerSecond() {
            return chunks / secondsToVisible;
        }

        double chunksPerSecondToCommit() {
            return chunks / secondsToCommit;
        }

        double chunksPerDoc() {
            return (double) chunks / docs;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d documents, %d chunks in %.1f s: %.1f chunks/s (%.1f until the last"
                    + " commit)", docs, chunks, secondsToVisible, chunksPerSecond(), chunksPerSecondToCommit());
        }
    }

    /** The outcome of the open-loop phase; the histograms hold milliseconds. */
    record SustainedResult(int docs, double docsPerSecond, double chunksPerSecond, Histogram committed,
                           Histogram visible, long lateSends) {
    }

    /** What one {@link PeerIngest} run printed. */
    record PeerResult(int docs, int chunks, double seconds, double questionP50Ms, double questionP99Ms) {
        static PeerResult parse(String output) {
            for (String line : output.split("\n")) {
                if (line.startsWith(PeerIngest.RESULT)) {
                    Map<String, String> fields = new HashMap<>();
                    for (String field : line.substring(PeerIngest.RESULT.length()).trim().split(" ")) {
                        String[] kv = field.split("=", 2);
                        fields.put(kv[0], kv[1]);
                    }
                    return new PeerResult(Integer.parseInt(fields.get("docs")), Integer.parseInt(fields.get("chunks")),
                            Double.parseDouble(fields.get("seconds")), Double.parseDouble(fields.get("questionP50Ms")),
                            Double.parseDouble(fields.get("questionP99Ms")));
                }
            }
            throw new IllegalStateException("no " + PeerIngest.RESULT + " line in the peer's output");
        }

        double docsPerSecond() {
            return docs / seconds;
        }

        double chunksPerSecond() {
            return chunks / seconds;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d documents, %d chunks in %.1f s: %.2f documents/s, %.1f chunks/s;"
                    + " question embedding p50 %.1f ms, p99 %.1f ms", docs, chunks, seconds, docsPerSecond(),
                    chunksPerSecond(), questionP50Ms, questionP99Ms);
        }
    }

    /** Command-line options; see {@link #USAGE}. */
    record Options(Path corpus, int docs, int poolDocs, EmbeddingModel model, EmbeddingDevice device,
                   int embedThreads, int embedBatchSize, int embedConcurrency, int batchChunks, long maxWaitMs,
                   int parallelism, long checkpointIntervalMs, double load, int sustainSeconds, String childHeap,
                   boolean embedOnly, boolean skipBefore, Path workDir, Path report, List<Integer> parallelisms,
                   int versusPeer, int peerThreads, Path queries, int questions) {

        static final String USAGE = "usage: IngestBenchmark --corpus corpus.jsonl.gz [--docs 400]"
                + " [--sustain-seconds 60] [--load 0.7] [--model ID] [--device cpu|cuda] [--embed-threads 1]"
                + " [--embed-batch-size 0] [--embed-concurrency 0] [--batch-chunks 32] [--max-wait-ms 50]"
                + " [--parallelism 1] [--checkpoint-interval-ms 1000]"
                + " [--child-heap 3g] [--embed-only] [--skip-before] [--work-dir DIR] [--report FILE]"
                + " [--parallelisms 1,2 (only end to end, once per parallelism)]"
                + " [--versus-peer ROUNDS --queries queries.jsonl [--peer-threads 2] [--questions 100]]";

        static Options parse(String[] args) {
            Map<String, String> values = new HashMap<>();
            Set<String> switches = new HashSet<>();
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--embed-only") || flag.equals("--skip-before")) {
                    switches.add(flag);
                } else if (flag.startsWith("--") && i + 1 < args.length) {
                    values.put(flag, args[++i]);
                } else {
                    throw new IllegalArgumentException("unexpected argument " + flag);
                }
            }
            Set<String> known = Set.of("--corpus", "--docs", "--sustain-seconds", "--load", "--model", "--device",
                    "--embed-threads", "--batch-chunks", "--max-wait-ms", "--parallelism", "--checkpoint-interval-ms",
                    "--child-heap", "--work-dir", "--report", "--pool-docs", "--parallelisms", "--embed-batch-size",
                    "--embed-concurrency", "--versus-peer", "--peer-threads", "--queries", "--questions");
            for (String flag : values.keySet()) {
                if (!known.contains(flag)) {
                    throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            try {
                Options o = new Options(
                        values.containsKey("--corpus") ? Path.of(values.get("--corpus")) : null, // required: main says so
                        Integer.parseInt(values.getOrDefault("--docs", "400")),
                        Integer.parseInt(values.getOrDefault("--pool-docs", "2000")),
                        EmbeddingModel.fromId(values.getOrDefault("--model", EmbeddingModel.DEFAULT.id())),
                        EmbeddingDevice.fromId(values.getOrDefault("--device", "cpu")),
                        Integer.parseInt(values.getOrDefault("--embed-threads",
                                Integer.toString(IngestSettings.DEFAULT_EMBED_THREADS))),
                        Integer.parseInt(values.getOrDefault("--embed-batch-size", "0")),
                        Integer.parseInt(values.getOrDefault("--embed-concurrency", "0")),
                        Integer.parseInt(values.getOrDefault("--batch-chunks", "32")),
                        Long.parseLong(values.getOrDefault("--max-wait-ms", "50")),
                        Integer.parseInt(values.getOrDefault("--parallelism", "1")),
                        Long.parseLong(values.getOrDefault("--checkpoint-interval-ms", "1000")),
                        Double.parseDouble(values.getOrDefault("--load", "0.7")),
                        Integer.parseInt(values.getOrDefault("--sustain-seconds", "60")),
                        values.getOrDefault("--child-heap", "3g"),
                        switches.contains("--embed-only"),
                        switches.contains("--skip-before"),
                        Path.of(values.getOrDefault("--work-dir", System.getProperty("java.io.tmpdir"))),
                        values.containsKey("--report") ? Path.of(values.get("--report")) : null,
                        values.containsKey("--parallelisms") ? Stream.of(values.get("--parallelisms").split(","))
                                .map(String::trim).map(Integer::parseInt).toList() : List.of(),
                        Integer.parseInt(values.getOrDefault("--versus-peer", "0")),
                        Integer.parseInt(values.getOrDefault("--peer-threads",
                                Integer.toString(Runtime.getRuntime().availableProcessors()))),
                        values.containsKey("--queries") ? Path.of(values.get("--queries")) : null,
                        Integer.parseInt(values.getOrDefault("--questions", "100")));
                if (o.docs < 1 || o.embedThreads < 1 || o.batchChunks < 1 || o.maxWaitMs < 0 || o.parallelism < 1
                        || o.sustainSeconds < 1 || o.load <= 0 || o.load > 1 || o.poolDocs < WARMUP_DOCS
                        || o.parallelisms.stream().anyMatch(p -> p < 1) || o.embedBatchSize < 0
                        || o.embedConcurrency < 0 || o.versusPeer < 0 || o.peerThreads < 1 || o.questions < 1) {
                    throw new IllegalArgumentException("out of range: docs, embed-threads, batch-chunks, parallelism,"
                            + " parallelisms, sustain-seconds, peer-threads, questions >= 1; max-wait-ms,"
                            + " embed-batch-size, embed-concurrency, versus-peer >= 0; 0 < load <= 1; pool-docs >= "
                            + WARMUP_DOCS);
                }
                return o;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a numeric option is not a number: " + e.getMessage(), e);
            }
        }
    }
}
