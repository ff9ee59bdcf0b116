package io.streamrag.loadgen.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrag.core.corpus.DocumentFiles;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEvents;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.QueryResponse;
import io.streamrag.schemas.Topics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The query benchmark (docs/benchmarks.md, section Query). Starts a stand-in LLM with a fixed latency
 * ({@link FixedLatencyLlmServer}), the dev stack in a child JVM pointed at it, ingests a few hundred SciFact
 * documents, then offers queries open loop at fixed rates through Kafka (rag.queries → rag.responses, read
 * committed) and prints end-to-end latency and the per-stage breakdown of {@code QueryResponse.timingsMs}.
 *
 * <p>Every question is distinct (SciFact claims, then the same claims with a sequence suffix), so each query takes
 * the uncached path: response, embedding and retrieval caches all miss. Requests are spread over the query
 * partitions round robin (as a gateway producer with Kafka's RoundRobinPartitioner would), unless
 * {@code --partitioning hash} keys them by request id.
 */
public final class QueryBenchmark {
    private static final String COLLECTION = "bench-query";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Command-line options; {@link #parse} names the bad flag. */
    record Options(Path corpus, Path queries, int docs, double rate, int seconds, int warmupSeconds,
                   List<Double> probeRates, int probeSeconds, Duration llmLatency, boolean roundRobin,
                   Path dataDir, Path report, String stackJavaOpts) {

        static Options parse(String... args) {
            Path corpus = null; // required: main says so
            Path queries = null;
            int docs = 300;
            double rate = 50;
            int seconds = 60;
            // the JIT is still compiling after 90 s at 50 q/s: shorter warm-ups put it into the measured p99
            int warmup = 240;
            List<Double> probes = List.of(40.0, 60.0, 70.0);
            int probeSeconds = 30;
            long llmMs = 200;
            boolean roundRobin = true;
            Path dataDir = null;
            Path report = null;
            String heap = "-Xmx3g -XX:+UseZGC"; // bin/streamrag's default
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + flag);
                }
                String value = args[++i];
                switch (flag) {
                    case "--corpus" -> corpus = Path.of(value);
                    case "--queries" -> queries = Path.of(value);
                    case "--docs" -> docs = positive(flag, Integer.parseInt(value));
                    case "--rate" -> rate = positive(flag, Double.parseDouble(value));
                    case "--seconds" -> seconds = positive(flag, Integer.parseInt(value));
                    case "--warmup-seconds" -> warmup = Integer.parseInt(value);
                    case "--probe-rates" -> probes = value.isBlank() ? List.of() : Arrays.stream(value.split(","))
                            .map(String::trim).map(Double::parseDouble).toList();
                    case "--probe-seconds" -> probeSeconds = positive(flag, Integer.parseInt(value));
                    case "--llm-latency-ms" -> llmMs = Long.parseLong(value);
                    case "--partitioning" -> {
                        if (!value.equals("round-robin") && !value.equals("hash")) {
                            throw new IllegalArgumentException("--partitioning must be round-robin or hash, got "
                                    + value);
                        }
                        roundRobin = value.equals("round-robin");
                    }
                    case "--data-dir" -> dataDir = Path.of(value);
                    case "--report" -> report = Path.of(value);
                    // --stack-heap: the earlier name, when it only took the heap option
                    case "--stack-java-opts", "--stack-heap" -> heap = value;
                    default -> throw new IllegalArgumentException("unknown flag " + flag);
                }
            }
            if (llmMs < 0) {
                throw new IllegalArgumentException("--llm-latency-ms must be >= 0, got " + llmMs);
            }
            return new Options(corpus, queries, docs, rate, seconds, warmup, probes, probeSeconds,
                    Duration.ofMillis(llmMs), roundRobin, dataDir, report, heap);
        }

        private static int positive(String flag, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(flag + " must be > 0, got " + value);
            }
            return value;
        }

        private static double positive(String flag, double value) {
            if (!(value > 0)) {
                throw new IllegalArgumentException(flag + " must be > 0, got " + value);
            }
            return value;
        }
    }

    /** What one phase measured. */
    record PhaseResult(String name, double offeredQps, int sent, long answered, double achievedQps,
                       LatencyBreakdown latencies, double stackCpuMsPerQuery) {
    }

    private QueryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-query: " + e.getMessage());
            System.err.println("usage: bench-query --corpus FILE --queries FILE [--docs N] [--rate QPS] [--seconds S] [--warmup-seconds S]"
                    + " [--probe-rates Q1,Q2,...] [--probe-seconds S] [--llm-latency-ms MS]"
                    + " [--partitioning round-robin|hash] [--data-dir DIR] [--report FILE] [--stack-java-opts \"-XmxN ...\"]");
            System.exit(2);
            return;
        }
        if (options.corpus() == null || options.queries() == null) {
            System.err.println("bench-query: --corpus FILE and --queries FILE are required (a BEIR dataset's"
                    + " corpus.jsonl[.gz] and queries.jsonl, e.g. SciFact's)");
            System.exit(2);
            return;
        }
        String report = run(options);
        System.out.println(report);
        if (options.report() != null) {
            Files.writeString(options.report(), report);
        }
        System.exit(0);
    }

    static String run(Options options) throws Exception {
        List<String> questions = readQuestions(options.queries());
        List<String[]> docs = readCorpus(options.corpus(), options.docs());
        Path dataDir = options.dataDir() != null ? options.dataDir()
                : Files.createTempDirectory("streamrag-bench-query");
        List<String> jvmOptions = new ArrayList<>(List.of(options.stackJavaOpts().trim().split("\\s+")));
        // the opens Flink needs, as bin/bench-query gave them to this JVM
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")).forEach(jvmOptions::add);

        try (FixedLatencyLlmServer llm = new FixedLatencyLlmServer(options.llmLatency())) {
            log("LLM stand-in at " + llm.baseUrl() + " answering in " + options.llmLatency().toMillis() + " ms");
            long stackStart = System.nanoTime();
            try (DevStackProcess stack = DevStackProcess.start(jvmOptions, dataDir, Map.of(
                    "STREAMRAG_LLM_BASE_URL", llm.baseUrl(), "STREAMRAG_LLM_MODEL", FixedLatencyLlmServer.MODEL))) {
                log(String.format(Locale.ROOT, "dev stack ready in %.0f s at %s (log: %s)",
                        (System.nanoTime() - stackStart) / 1e9, stack.bootstrapServers(),
                        dataDir.resolve("stack.log")));
                long ingestStart = System.nanoTime();
                ingest(stack.bootstrapServers(), docs);
                double ingestSeconds = (System.nanoTime() - ingestStart) / 1e9;
                log(String.format(Locale.ROOT, "%d documents searchable in %.1f s", docs.size(), ingestSeconds));

                List<PhaseResult> results = new ArrayList<>();
                int partitions;
                try (Load load = new Load(stack.bootstrapServers(), questions, options.roundRobin(),
                        stack::cpuNanos)) {
                    partitions = load.partitions;
                    if (options.warmupSeconds() > 0) {
                        load.phase("warm-up", options.rate(), options.warmupSeconds());
                    }
                    results.add(load.phase("measured", options.rate(), options.seconds()));
                    for (double probe : options.probeRates()) {
                        PhaseResult result = load.phase("probe", probe, options.probeSeconds());
                        results.add(result);
                        if (!sustained(result, options)) {
                            break;
                        }
                    }
                }
                log("LLM stand-in served " + llm.served() + " completions");
                return report(options, docs.size(), partitions, results);
            }
        }
    }

    /**
     * A rate is sustained when every query was answered, the achieved rate is within 5% of the offered one, and p99
     * end to end stays under the LLM latency plus one second (no queue builds up).
     */
    static boolean sustained(PhaseResult result, Options options) {
        return result.answered() == result.sent() && result.achievedQps() >= 0.95 * result.offeredQps()
                && result.latencies().millis(LatencyBreakdown.END_TO_END, 99)
                        <= options.llmLatency().toMillis() + 1000;
    }

    /** The open-loop sender and the response reader, shared by all phases. */
    private static final class Load implements AutoCloseable {
        private record Pending(Phase phase, long intendedNanos) {
        }

        private static final class Phase {
            final LatencyBreakdown latencies = new LatencyBreakdown();
            final AtomicLong answered = new AtomicLong();
            volatile long lastAnswerNanos;
        }

        private final KafkaProducer<String, QueryRequest> producer;
        private final KafkaConsumer<String, QueryResponse> consumer;
        private final Map<String, Pending> pending = new ConcurrentHashMap<>();
        private final List<String> questions;
        private final boolean roundRobin;
        private final int partitions;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread reader;
        private final LongSupplier stackCpuNanos;
        private volatile RuntimeException readFailure;
        private long sequence;

        Load(String bootstrap, List<String> questions, boolean roundRobin, LongSupplier stackCpuNanos) {
            this.questions = questions;
            this.stackCpuNanos = stackCpuNanos;
            this.roundRobin = roundRobin;
            java.util.Properties producerProps = new java.util.Properties();
            producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
            producer = new KafkaProducer<>(producerProps, Topics.QUERIES.keySerde().serializer(),
                    Topics.QUERIES.valueSerde().serializer());
            partitions = producer.partitionsFor(Topics.QUERIES.name()).size();
            java.util.Properties consumerProps = new java.util.Properties();
            consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5); // this consumer measures latency
            consumer = new KafkaConsumer<>(consumerProps, Topics.RESPONSES.keySerde().deserializer(),
                    Topics.RESPONSES.valueSerde().deserializer());
            List<TopicPartition> responsePartitions = consumer.partitionsFor(Topics.RESPONSES.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(responsePartitions);
            consumer.seekToEnd(responsePartitions);
            responsePartitions.forEach(consumer::position); // resolve the end now, before the first request
            reader = new Thread(this::read, "bench-responses");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try {
                while (running.get()) {
                    for (ConsumerRecord<String, QueryResponse> record : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        Pending p = pending.remove(record.value().getRequestId());
                        if (p != null) {
                            p.phase.latencies.record(record.value(), now - p.intendedNanos);
                            p.phase.answered.incrementAndGet();
                            p.phase.lastAnswerNanos = now;
                        }
                    }
                }
            } catch (WakeupException e) {
                if (running.get()) {
                    readFailure = e;
                }
            } catch (RuntimeException e) {
                readFailure = e;
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        /**
         * Offers {@code rate} queries per second for {@code seconds}, each at its intended time (never catching up
         * in bursts after a stall: latency counts from the intended time), then waits up to 3 minutes for every
         * answer, so that the next phase starts with no backlog.
         */
        PhaseResult phase(String name, double rate, int seconds) throws InterruptedException {
            log(String.format(Locale.ROOT, "%s: %.0f queries/s for %d s", name, rate, seconds));
            Phase phase = new Phase();
            int count = (int) Math.round(rate * seconds);
            long periodNanos = (long) (1e9 / rate);
            long cpuBefore = stackCpuNanos.getAsLong();
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            for (int i = 0; i < count; i++) {
                long intended = start + i * periodNanos;
                long wait = intended - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                send(phase, intended);
            }
            producer.flush();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (phase.answered.get() < count && System.nanoTime() < deadline) {
                if (readFailure != null) {
                    throw new IllegalStateException("reading responses failed: " + readFailure, readFailure);
                }
                Thread.sleep(20);
            }
            pending.values().removeIf(p -> p.phase == phase);
            long cpuAfter = stackCpuNanos.getAsLong();
            long answered = phase.answered.get();
            double cpuMsPerQuery = cpuBefore < 0 || answered == 0 ? Double.NaN
                    : (cpuAfter - cpuBefore) / 1e6 / answered;
            double elapsed = Math.max(1e-9, (phase.lastAnswerNanos - start) / 1e9);
            PhaseResult result = new PhaseResult(name, rate, count, answered, answered / elapsed, phase.latencies,
                    cpuMsPerQuery);
            log(String.format(Locale.ROOT, "%s: %d/%d answered, %.1f/s, end-to-end p50 %.0f ms p99 %.0f ms,"
                            + " all but inference + LLM p99 %.0f ms, stack CPU %.1f ms/query, modes %s", name, answered, count,
                    result.achievedQps(),
                    phase.latencies.millis(LatencyBreakdown.END_TO_END, 50),
                    phase.latencies.millis(LatencyBreakdown.END_TO_END, 99),
                    phase.latencies.millis(LatencyBreakdown.EVERYTHING_ELSE, 99), cpuMsPerQuery,
                    phase.latencies.modes()));
            return result;
        }

        private void send(Phase phase, long intendedNanos) {
            long n = sequence++;
            String question = questions.get((int) (n % questions.size()));
            if (n >= questions.size()) {
                question = question + " (" + (n / questions.size()) + ")"; // distinct text: every cache misses
            }
            String requestId = "bench-" + n;
            QueryRequest request = QueryRequest.newBuilder()
                    .setRequestId(requestId)
                    .setCollection(COLLECTION)
                    .setText(question)
                    .setTopK(5)
                    .setDeadline(Instant.now().plusSeconds(120))
                    .build();
            pending.put(requestId, new Pending(phase, intendedNanos));
            Integer partition = roundRobin ? (int) (n % partitions) : null;
            producer.send(new ProducerRecord<>(Topics.QUERIES.name(), partition, requestId, request), (m, e) -> {
                if (e != null) {
                    System.err.println("bench: sending " + requestId + " failed: " + e);
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            consumer.wakeup();
            reader.join(10_000);
            producer.close(Duration.ofSeconds(10));
        }
    }

    /** Submits the documents and returns once the index announced every one of them. */
    private static void ingest(String bootstrap, List<String[]> docs) throws InterruptedException {
        java.util.Properties producerProps = new java.util.Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        java.util.Properties consumerProps = new java.util.Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaProducer<String, DocumentEvent> producer = new KafkaProducer<>(producerProps,
                Topics.DOCUMENTS.keySerde().serializer(), Topics.DOCUMENTS.valueSerde().serializer());
             KafkaConsumer<String, IndexChange> changes = new KafkaConsumer<>(consumerProps,
                     Topics.INDEX_CHANGES.keySerde().deserializer(), Topics.INDEX_CHANGES.valueSerde().deserializer())) {
            for (String[] doc : docs) {
                producer.send(new ProducerRecord<>(Topics.DOCUMENTS.name(), Topics.documentKey(COLLECTION, doc[0]),
                        DocumentEvents.upsert(COLLECTION, doc[0], 1, doc[1], doc[2], Map.of(), "scifact")));
            }
            producer.flush();
            List<TopicPartition> partitions = changes.partitionsFor(Topics.INDEX_CHANGES.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            changes.assign(partitions);
            changes.seekToBeginning(partitions);
            Set<String> indexed = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (indexed.size() < docs.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + indexed.size() + " of " + docs.size()
                            + " documents were indexed within 5 minutes");
                }
                for (ConsumerRecord<String, IndexChange> record : changes.poll(Duration.ofMillis(200))) {
                    if (COLLECTION.equals(record.value().getCollection())) {
                        indexed.add(record.value().getDocId());
                    }
                }
            }
        }
    }

    private static List<String> readQuestions(Path queries) throws IOException {
        List<String> questions = new ArrayList<>();
        for (String line : Files.readAllLines(queries, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                String text = JSON.readTree(line).path("text").asText("");
                if (!text.isBlank()) {
                    questions.add(text);
                }
            }
        }
        if (questions.isEmpty()) {
            throw new IllegalArgumentException("no questions in " + queries);
        }
        return questions;
    }

    /** Up to {@code limit} documents as {id, title, text}, read with {@link DocumentFiles}. */
    private static List<String[]> readCorpus(Path corpus, int limit) throws IOException {
        DocumentFiles.ReadResult read = new DocumentFiles(Long.MAX_VALUE).read(List.of(corpus));
        if (read.documents().isEmpty()) {
            throw new IOException("no document in " + corpus
                    + (read.problems().isEmpty() ? "" : ": " + read.problems().get(0)));
        }
        return read.documents().stream().limit(limit)
                .map(doc -> new String[] {doc.id(), doc.title(), doc.text()}).toList();
    }

    static String report(Options options, int docs, int partitions, List<PhaseResult> results) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Query benchmark: %d SciFact documents, LLM stand-in %d ms, %d query"
                        + " partitions (%s), distinct questions (every cache misses); latencies in ms, p50 / p99%n%n",
                docs, options.llmLatency().toMillis(), partitions,
                options.roundRobin() ? "requests spread round robin" : "requests keyed by request id"));
        List<String> columns = LatencyBreakdown.columns();
        out.append("| phase | offered q/s | answered | achieved q/s | ")
                .append(String.join(" | ", columns)).append(" | stack CPU ms/query | modes |\n");
        out.append("|---|---:|---:|---:|").append("---:|".repeat(columns.size() + 1)).append("---|\n");
        for (PhaseResult r : results) {
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %d/%d | %.1f |", r.name(), r.offeredQps(),
                    r.answered(), r.sent(), r.achievedQps()));
            for (String column : columns) {
                out.append(String.format(Locale.ROOT, " %.0f / %.0f |", r.latencies().millis(column, 50),
                        r.latencies().millis(column, 99)));
            }
            out.append(String.format(Locale.ROOT, " %.1f |", r.stackCpuMsPerQuery()));
            out.append(' ').append(r.latencies().modes().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))).append(" |\n");
        }
        double maxSustained = results.stream().filter(r -> sustained(r, options))
                .mapToDouble(PhaseResult::offeredQps).max().orElse(Double.NaN);
        out.append(String.format(Locale.ROOT, "%nstack CPU ms/query: CPU time of the stack's JVM (broker, ingest job,"
                + " both processors, embedded model) during the phase over the queries answered; 2 cores give"
                + " 2000 ms of CPU per second%n"));
        out.append(String.format(Locale.ROOT, "%nhighest sustained offered rate: %.0f q/s (all answered, achieved"
                + " >= 95%% of offered, p99 end to end <= LLM latency + 1 s)%n", maxSustained));
        return out.toString();
    }

    private static void log(String message) {
        System.err.println("bench-query: " + message);
    }
}
