package io.streamrag.loadgen.ingest;

import io.streamrag.testkit.EmbeddedKafka;
import io.streamrag.testkit.FreePorts;
import io.streamrag.testkit.StackTopics;
import io.streamrag.ingest.IngestJob;
import io.streamrag.ingest.IngestSettings;
import io.streamrag.schemas.Topics;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The system under test of the ingest benchmark, run as a child JVM so that its peak resident memory can be read
 * from {@code /proc}: a Kafka broker (the dev stack's {@link EmbeddedKafka}) and the ingest job on a local Flink
 * MiniCluster, with the topics the dev stack creates for ingestion.
 *
 * <p>Usage: {@code IngestBenchStack DATA_DIR PARALLELISM [ingest flags...]}; the ingest flags are
 * {@link IngestSettings#fromArgs} flags ({@code --bootstrap} and {@code --index-dir} are set here). Prints
 * {@code ready BOOTSTRAP} on stdout once the job runs, then stops everything when its stdin closes (so it also
 * stops when the benchmark dies).
 */
public final class IngestBenchStack {
    static final String READY = "ready ";

    private IngestBenchStack() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: IngestBenchStack DATA_DIR PARALLELISM [ingest flags...]");
            System.exit(2);
        }
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        int parallelism = Integer.parseInt(args[1]);
        Files.createDirectories(dataDir);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), FreePorts.pick(), FreePorts.pick())) {
            createTopics(kafka.bootstrapServers());
            List<String> flags = new ArrayList<>(List.of("--bootstrap", kafka.bootstrapServers(),
                    "--index-dir", dataDir.resolve("index").toString()));
            flags.addAll(Arrays.asList(args).subList(2, args.length));
            IngestSettings settings = IngestSettings.fromArgs(flags.toArray(String[]::new));
            Configuration config = IngestJob.flinkConfiguration(settings);
            config.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
            config.set(CoreOptions.TMP_DIRS, dataDir.resolve("flink-tmp").toString());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config);
            JobClient job = IngestJob.start(env, settings);
            try {
                awaitRunning(job);
                System.out.println(READY + kafka.bootstrapServers());
                System.out.flush();
                // the benchmark closes our stdin to stop us
                System.in.transferTo(OutputStream.nullOutputStream());
            } finally {
                if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isTerminalState()) {
                    job.cancel().get(30, TimeUnit.SECONDS);
                }
            }
        }
        // Flink and Kafka leave non-daemon threads behind; this JVM has nothing else to do
        System.exit(0);
    }

    private static void createTopics(String bootstrap) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            // as the dev stack creates them
            StackTopics.createMissing(admin, StackTopics.all(Topics.DEFAULT_QUERY_PARTITIONS));
        }
    }

    private static void awaitRunning(JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status == JobStatus.RUNNING) {
                return;
            }
            if (status.isGloballyTerminalState()) {
                throw new IllegalStateException("the ingest job stopped while starting: " + status);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the ingest job was not running after 2 minutes");
    }

}
