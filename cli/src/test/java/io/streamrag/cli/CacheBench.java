package io.streamrag.cli;

import io.streamrag.cli.dev.DevSettings;
import io.streamrag.cli.dev.DevStack;
import io.streamrag.client.StreamragClient;
import io.streamrag.core.cache.CacheLayer;
import io.streamrag.core.cache.CacheMetrics;
import io.streamrag.schemas.Citation;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEvents;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.QueryResponse;
import io.streamrag.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Cache benchmark on the whole dev stack (not a test): Zipf-distributed repeated questions, a share of the
 * operations are document updates (sent without waiting, so they are ingested while questions continue).
 * Reports hit ratio per layer, stale responses, response latency p99 with and without an L1 hit, and invalidation
 * lag. A response is stale when it cites a version older than one whose IndexChange the invalidation processor had
 * processed before the question was sent (the processor's count, matched against this bench's in-order read of the
 * single-partition rag.index-changes with the processor's isolation level, read_uncommitted). A second reader with
 * read_committed measures when the announcements become visible to exactly-once consumers.
 *
 * <p>Usage (see docs/benchmarks.md): {@code java -cp ... io.streamrag.cli.CacheBench [docs] [questions] [ops]
 * [updateShare] [zipfExponent] [seed]}; the invalidation mode comes from {@code STREAMRAG_CACHE_INVALIDATION}.
 */
public final class CacheBench {
    private static final String COLLECTION = "bench";

    private CacheBench() {
    }

    public static void main(String[] args) throws Exception {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int questions = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int ops = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        double updateShare = args.length > 3 ? Double.parseDouble(args[3]) : 0.1;
        double zipf = args.length > 4 ? Double.parseDouble(args[4]) : 1.0;
        long seed = args.length > 5 ? Long.parseLong(args[5]) : 7;

        Path dataDir = Files.createTempDirectory("streamrag-cache-bench");
        try (DevStack stack = DevStack.start(new DevSettings(dataDir, 0, 0));
             StreamragClient client = StreamragClient.connect(stack.bootstrapServers(), Duration.ofSeconds(10));
             ChangeLog changes = new ChangeLog(stack.bootstrapServers(), "read_uncommitted");
             ChangeLog committed = new ChangeLog(stack.bootstrapServers(), "read_committed")) {
            long[] versions = new long[docs];
            List<DocumentEvent> initial = new ArrayList<>();
            for (int d = 0; d < docs; d++) {
                versions[d] = 1;
                initial.add(document(d, 1));
            }
            long loadStart = System.nanoTime();
            client.sendAndAwaitVisible(initial, Duration.ofMinutes(10));
            System.out.printf("indexed %d documents in %.1f s%n", docs, (System.nanoTime() - loadStart) / 1e9);

            double[] cdf = zipfCdf(questions, zipf);
            Random random = new Random(seed);
            CacheMetrics metrics = stack.caches().metrics();
            Map<CacheLayer, long[]> before = counts(metrics);
            Histogram hitLatency = new Histogram(60_000, 3);
            Histogram missLatency = new Histogram(60_000, 3);
            Histogram hitEngine = new Histogram(60_000, 3);
            Histogram missEngine = new Histogram(60_000, 3);
            // the invalidation of the initial load may still be running: keep its lags out of the figures
            for (int i = 0; i < 600 && stack.invalidation().metrics().indexChanges() < docs; i++) {
                Thread.sleep(100);
            }
            Histogram lagBefore = stack.invalidation().metrics().lag();
            Histogram visibleBefore = changes.visibleDelay();
            Histogram committedBefore = committed.visibleDelay();
            Histogram backlog = new Histogram(1_000_000, 3);
            int updates = 0;
            int answered = 0;
            int stale = 0;
            int bypassed = 0;
            long runStart = System.nanoTime();
            for (int op = 0; op < ops; op++) {
                if (op > 0 && op % 100 == 0) {
                    System.out.printf("  ... %d ops, %.0f s%n", op, (System.nanoTime() - runStart) / 1e9);
                }
                if (random.nextDouble() < updateShare) {
                    int d = random.nextInt(docs);
                    client.send(List.of(document(d, ++versions[d])));
                    updates++;
                    continue;
                }
                int q = sample(cdf, random);
                long processed = stack.invalidation().metrics().indexChanges();
                Map<String, Long> floor = changes.processedVersions(processed);
                backlog.recordValue(Math.max(0, changes.size() - processed));
                long start = System.nanoTime();
                QueryResponse response = client.ask(AskCommand.request(COLLECTION,
                        "What is the current code of zorblat" + q + "?", 3, Duration.ofSeconds(30)),
                        Duration.ofSeconds(30));
                long micros = (System.nanoTime() - start) / 1000;
                answered++;
                boolean l1 = response.getCacheHits().contains(CacheLayer.L1.label());
                (l1 ? hitLatency : missLatency).recordValue(Math.max(1, micros / 1000));
                (l1 ? hitEngine : missEngine).recordValue(response.getTimingsMs().getOrDefault("total", 0L));
                if (response.getCacheHits().contains(CacheLayer.BYPASSED)) {
                    bypassed++;
                }
                for (Citation c : response.getCitations()) {
                    long version = Long.parseLong(c.getChunkId().substring(c.getChunkId().lastIndexOf('@') + 1));
                    if (version < floor.getOrDefault(c.getDocId(), 0L)) {
                        stale++;
                        System.out.printf("STALE: %s cited after version %d was invalidated (cache %s)%n",
                                c.getChunkId(), floor.get(c.getDocId()), response.getCacheHits());
                    }
                }
            }
            double seconds = (System.nanoTime() - runStart) / 1e9;
            Map<CacheLayer, long[]> after = counts(metrics);
            System.out.printf("mode %s: %d ops (%d questions, %d updates) in %.1f s; zipf %.2f over %d questions,"
                            + " %d documents%n", stack.caches().settings().invalidationMode(), ops, answered, updates,
                    seconds, zipf, questions, docs);
            for (CacheLayer layer : List.of(CacheLayer.L1, CacheLayer.L2, CacheLayer.L3)) {
                long hits = after.get(layer)[0] - before.get(layer)[0];
                long lookups = hits + after.get(layer)[1] - before.get(layer)[1] + after.get(layer)[2]
                        - before.get(layer)[2];
                System.out.printf("  %s hit ratio %.3f (%d of %d lookups)%n", layer,
                        lookups == 0 ? 0 : (double) hits / lookups, hits, lookups);
            }
            System.out.printf("  stale responses %d of %d; bypassed %d%n", stale, answered, bypassed);
            System.out.printf("  round trip ms  L1 hit p50 %d p99 %d (n=%d) | no L1 hit p50 %d p99 %d (n=%d)%n",
                    hitLatency.getValueAtPercentile(50), hitLatency.getValueAtPercentile(99),
                    hitLatency.getTotalCount(), missLatency.getValueAtPercentile(50),
                    missLatency.getValueAtPercentile(99), missLatency.getTotalCount());
            System.out.printf("  engine ms      L1 hit p50 %d p99 %d | no L1 hit p50 %d p99 %d%n",
                    hitEngine.getValueAtPercentile(50), hitEngine.getValueAtPercentile(99),
                    missEngine.getValueAtPercentile(50), missEngine.getValueAtPercentile(99));
            Histogram lag = stack.invalidation().metrics().lag();
            lag.subtract(lagBefore);
            Histogram visible = changes.visibleDelay();
            visible.subtract(visibleBefore);
            System.out.printf("  invalidation lag ms (commitTime -> entries unreachable) p50 %d p99 %d max %d"
                            + " (n=%d)%n", lag.getValueAtPercentile(50), lag.getValueAtPercentile(99),
                    lag.getMaxValue(), lag.getTotalCount());
            System.out.printf("  announced changes not yet invalidated when a question was sent: p50 %d p99 %d max %d%n",
                    backlog.getValueAtPercentile(50), backlog.getValueAtPercentile(99), backlog.getMaxValue());
            System.out.printf("  of which announcement ms (commitTime -> IndexChange readable, read_uncommitted)"
                            + " p50 %d p99 %d max %d (n=%d)%n", visible.getValueAtPercentile(50),
                    visible.getValueAtPercentile(99), visible.getMaxValue(), visible.getTotalCount());
            Histogram visibleCommitted = committed.visibleDelay();
            visibleCommitted.subtract(committedBefore);
            System.out.printf("  for comparison, commitTime -> IndexChange readable with read_committed"
                            + " p50 %d p99 %d max %d (n=%d)%n", visibleCommitted.getValueAtPercentile(50),
                    visibleCommitted.getValueAtPercentile(99), visibleCommitted.getMaxValue(),
                    visibleCommitted.getTotalCount());
        }
    }

    private static DocumentEvent document(int d, long version) {
        return DocumentEvents.upsert(COLLECTION, "doc-" + d, version, "Zorblat" + d,
                "Zorblat" + d + " is a catalogued widget of series " + (d % 7) + ". The current code of zorblat" + d
                        + " is code" + d + "x" + version + " (revision " + version + ").",
                Map.of(), null);
    }

    private static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    private static int sample(double[] cdf, Random random) {
        double u = random.nextDouble();
        int lo = 0;
        int hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static Map<CacheLayer, long[]> counts(CacheMetrics metrics) {
        Map<CacheLayer, long[]> counts = new EnumMap<>(CacheLayer.class);
        for (CacheLayer layer : CacheLayer.values()) {
            counts.put(layer, new long[] {metrics.hits(layer), metrics.misses(layer), metrics.bypasses(layer)});
        }
        return counts;
    }

    /** Reads rag.index-changes from the start, in order, on its own thread. */
    private static final class ChangeLog implements AutoCloseable {
        private final List<IndexChange> changes = new ArrayList<>();
        /** commitTime to the moment this consumer read the change: the announcement part of the lag. */
        private final Histogram visibleDelay = new Histogram(3_600_000, 3);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread reader;

        ChangeLog(String bootstrapServers, String isolationLevel) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            KafkaConsumer<String, IndexChange> consumer = new KafkaConsumer<>(props,
                    Topics.INDEX_CHANGES.keySerde().deserializer(), Topics.INDEX_CHANGES.valueSerde().deserializer());
            TopicPartition partition = new TopicPartition(Topics.INDEX_CHANGES.name(), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            reader = new Thread(() -> {
                try (consumer) {
                    while (running.get()) {
                        for (ConsumerRecord<String, IndexChange> record : consumer.poll(Duration.ofMillis(20))) {
                            synchronized (changes) {
                                visibleDelay.recordValue(Math.max(0, System.currentTimeMillis()
                                        - record.value().getCommitTime().toEpochMilli()));
                                changes.add(record.value());
                                changes.notifyAll();
                            }
                        }
                    }
                }
            }, "bench-change-log");
            reader.start();
        }

        int size() {
            synchronized (changes) {
                return changes.size();
            }
        }

        Histogram visibleDelay() {
            synchronized (changes) {
                return visibleDelay.copy();
            }
        }

        /** The newest version per document among the first {@code processed} changes. */
        Map<String, Long> processedVersions(long processed) throws InterruptedException {
            Map<String, Long> floor = new HashMap<>();
            synchronized (changes) {
                long deadline = System.currentTimeMillis() + 10_000;
                while (changes.size() < processed && System.currentTimeMillis() < deadline) {
                    changes.wait(100);
                }
                for (int i = 0; i < Math.min(processed, changes.size()); i++) {
                    IndexChange c = changes.get(i);
                    floor.merge(c.getDocId(), c.getVersion(), Math::max);
                }
            }
            return floor;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            reader.join(5_000);
        }
    }
}
