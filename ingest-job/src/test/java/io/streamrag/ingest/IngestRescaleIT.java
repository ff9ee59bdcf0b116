package io.streamrag.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rescaling the store writers through a savepoint: a savepoint of the job at parallelism 1 restored at
 * parallelism 2 (two writers, each opening its share of the shards), with a never-ending, rate-limited source so
 * that the savepoint is taken while the job runs. Also pins what happens to a savepoint of the single-writer
 * version of the job, whose store writer had a maximum parallelism of 1: it restores at parallelism 1 only.
 */
class IngestRescaleIT {
    private static final Duration WAIT = Duration.ofMinutes(3);

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path tmp;

    @Test
    void aSavepointAtParallelismOneRestoresAtParallelismTwoWithTwoWriters() throws Exception {
        Path indexDir = Files.createDirectories(tmp.resolve("index"));
        String savepoint = runAndStopWithSavepoint(indexDir, false);

        String testId = UUID.randomUUID().toString();
        CollectingSink<IndexChange> changes = new CollectingSink<>(testId + "-changes");
        JobClient rescaled = start(indexDir, 2, changes, savepoint, testId);
        try {
            awaitAnnouncements(rescaled, changes, 12);
            // both writers opened their share and committed into it
            awaitFile(rescaled, indexDir.resolve("_commit-epoch-0-of-2"));
            awaitFile(rescaled, indexDir.resolve("_commit-epoch-1-of-2"));
            assertThat(rescaled.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            cancelAndAwait(rescaled);
        }
    }

    @Test
    void aSavepointOfTheSingleWriterVersionDoesNotRestoreAtParallelismTwo() throws Exception {
        Path indexDir = Files.createDirectories(tmp.resolve("index"));
        // the store writer of the single-writer version had setMaxParallelism(1), which its state records
        String savepoint = runAndStopWithSavepoint(indexDir, true);

        String testId = UUID.randomUUID().toString();
        CollectingSink<IndexChange> changes = new CollectingSink<>(testId + "-changes");
        Throwable failure = null;
        JobClient rescaled = null;
        try {
            rescaled = start(indexDir, 2, changes, savepoint, testId);
            rescaled.getJobExecutionResult().get();
        } catch (Exception e) {
            failure = e;
        } finally {
            if (rescaled != null) {
                cancelAndAwait(rescaled);
            }
        }
        assertThat(failure).as("restoring at parallelism 2").isNotNull();
        assertThat(causes(failure)).contains("maximum parallelism");
    }

    @Test
    void aSavepointOfTheSingleWriterVersionStillRestoresAtParallelismOne() throws Exception {
        Path indexDir = Files.createDirectories(tmp.resolve("index"));
        String savepoint = runAndStopWithSavepoint(indexDir, true);

        String testId = UUID.randomUUID().toString();
        CollectingSink<IndexChange> changes = new CollectingSink<>(testId + "-changes");
        JobClient restored = start(indexDir, 1, changes, savepoint, testId);
        try {
            awaitAnnouncements(restored, changes, 12);
            assertThat(restored.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            cancelAndAwait(restored);
        }
    }

    /** Runs the job at parallelism 1 until it has announced a few versions, then stops it with a savepoint. */
    private String runAndStopWithSavepoint(Path indexDir, boolean singleWriterVersion) throws Exception {
        String testId = UUID.randomUUID().toString();
        CollectingSink<IndexChange> changes = new CollectingSink<>(testId + "-changes");
        StreamExecutionEnvironment env = environment(1);
        define(env, indexDir, changes, testId);
        if (singleWriterVersion) {
            for (Transformation<?> t : env.getTransformations()) {
                if ("store-writer".equals(t.getUid())) {
                    t.setMaxParallelism(1);
                }
            }
        }
        JobClient job = env.executeAsync("rescale-it-p1");
        try {
            awaitAnnouncements(job, changes, 12);
        } catch (Exception | AssertionError e) {
            cancelAndAwait(job);
            throw e;
        }
        String savepoint = job.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get();
        // the writers release their shards' write locks when their tasks end, before the job counts as finished
        job.getJobExecutionResult().get();
        return savepoint;
    }

    /**
     * Cancels {@code job} unless it has ended, and waits until it has: a job counts as cancelled only once its tasks
     * have closed, so the next job can lock the shards and the test directory can be deleted.
     */
    private static void cancelAndAwait(JobClient job) throws Exception {
        if (!job.getJobStatus().get().isGloballyTerminalState()) {
            job.cancel().get();
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!job.getJobStatus().get().isGloballyTerminalState()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + job.getJobID() + " did not end after cancel: "
                        + job.getJobStatus().get());
            }
            Thread.sleep(50);
        }
    }

    private JobClient start(Path indexDir, int parallelism, CollectingSink<IndexChange> changes, String savepoint,
                            String testId) throws Exception {
        StreamExecutionEnvironment env = environment(parallelism);
        define(env, indexDir, changes, testId);
        StreamGraph graph = env.getStreamGraph();
        graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        return env.executeAsync(graph);
    }

    private static StreamExecutionEnvironment environment(int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.enableCheckpointing(200);
        return env;
    }

    private static void define(StreamExecutionEnvironment env, Path indexDir, CollectingSink<IndexChange> changes,
                               String testId) {
        IngestSettings settings = IngestSettings.builder()
                .indexDir(indexDir)
                .shardsPerCollection(2)
                .commitIntervalMs(20)
                .maxBatchDocuments(4)
                .build();
        DataStream<RawDocument> documents = env.fromSource(new DataGeneratorSource<>(new Documents(),
                                Long.MAX_VALUE, RateLimiterStrategy.perSecond(20), TypeInformation.of(RawDocument.class)),
                        WatermarkStrategy.noWatermarks(), "test-documents")
                .uid("test-documents")
                .setParallelism(1);
        IngestJob.defineWorkflow(env, documents, changes, new CollectingSink<DeadLetter>(testId + "-dlq"),
                new CollectingSink<ControlEvent>(testId + "-control"), settings, PoisonSensitiveEmbedder.factory());
    }

    private static void awaitAnnouncements(JobClient job, CollectingSink<IndexChange> changes, int count)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (changes.peek().size() < count) {
            JobStatus status = job.getJobStatus().get();
            if (status.isGloballyTerminalState() || System.nanoTime() > deadline) {
                throw new AssertionError("only " + changes.peek().size() + " announcements; job " + status);
            }
            Thread.sleep(50);
        }
    }

    private static void awaitFile(JobClient job, Path file) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.isRegularFile(file)) {
            JobStatus status = job.getJobStatus().get();
            if (status.isGloballyTerminalState() || System.nanoTime() > deadline) {
                throw new AssertionError("no " + file + "; job " + status);
            }
            Thread.sleep(50);
        }
    }

    private static String causes(Throwable t) {
        StringBuilder text = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            text.append(c).append('\n');
        }
        return text.toString();
    }

    /** Document n: version n / 12 + 1 of document d(n mod 12), an upsert. */
    private static final class Documents implements GeneratorFunction<Long, RawDocument> {
        private static final long serialVersionUID = 1L;
        private transient AvroCodec<DocumentEvent> codec;

        @Override
        public RawDocument map(Long n) {
            if (codec == null) {
                codec = AvroCodec.of(DocumentEvent.class);
            }
            long version = n / 12 + 1;
            DocumentEvent event = DocumentEvent.newBuilder()
                    .setCollection("rescale")
                    .setDocId("d" + (n % 12))
                    .setVersion(version)
                    .setOp(DocumentOp.UPSERT)
                    .setTitle("Document " + (n % 12))
                    .setText("Version " + version + " of a document that keeps changing")
                    .setMetadata(Map.of())
                    .setEventTime(Instant.now())
                    .build();
            return new RawDocument("rag.documents", 0, n, null, codec.encode(event));
        }
    }
}
