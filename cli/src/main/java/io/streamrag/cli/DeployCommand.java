package io.streamrag.cli;

import io.streamrag.cli.deploy.FlinkRestClient;
import io.streamrag.cli.deploy.FlinkRestException;
import io.streamrag.cli.deploy.IngestDeployment;
import io.streamrag.cli.deploy.JobJar;
import io.streamrag.ingest.IngestJob;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code streamrag deploy}: runs the ingest job on a Flink session cluster through its REST API, upgrades it
 * through a savepoint ({@code --upgrade}), or shows it ({@code --status}). Options it does not know are the job's
 * flags (see {@code IngestSettings}), passed through with {@code --bootstrap} added.
 */
@Command(name = "deploy", sortOptions = false,
        description = {"Deploy the ingest job to a Flink session cluster, upgrade it through a savepoint, or show it.",
                "Other options are the job's flags, e.g. --index-dir DIR --checkpoint-dir DIR (paths on the cluster's"
                        + " hosts); --bootstrap is passed to the job."})
final class DeployCommand implements Callable<Integer> {
    private static final Duration REST_TIMEOUT = Duration.ofSeconds(30);

    @Mixin
    BootstrapOption bootstrap;

    @Spec
    CommandSpec spec;

    @Option(names = "--flink", required = true, paramLabel = "URL",
            description = "REST address of the Flink JobManager, e.g. http://localhost:8081")
    String flink;

    @Option(names = "--jar", paramLabel = "PATH",
            description = "the job jar (default: ingest-job/target/streamrag-ingest-job-*-job.jar of this checkout)")
    Path jar;

    @Option(names = "--parallelism", paramLabel = "N", description = "default parallelism of the job")
    Integer parallelism;

    @Option(names = "--from-savepoint", paramLabel = "PATH",
            description = "start from this savepoint or retained checkpoint (a path on the cluster's hosts)")
    String fromSavepoint;

    @Option(names = "--upgrade", description = "stop the running job with a savepoint and start the jar from it")
    boolean upgrade;

    @Option(names = "--savepoint-dir", paramLabel = "DIR",
            description = "with --upgrade: where the savepoint goes (absolute path on the cluster's hosts, or a URI)")
    String savepointDir;

    @Option(names = "--savepoint-timeout", paramLabel = "DURATION", defaultValue = "PT5M",
            description = "with --upgrade: how long to wait for the savepoint (ISO-8601, default ${DEFAULT-VALUE})")
    Duration savepointTimeout;

    @Option(names = "--status", description = "show the running job, its checkpoints and restarts")
    boolean status;

    @Unmatched
    List<String> jobFlags = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        IngestDeployment deployment = new IngestDeployment(new FlinkRestClient(flink, REST_TIMEOUT));
        PrintWriter out = spec.commandLine().getOut();
        try {
            if (status) {
                requireNone("--status", upgrade, "--upgrade");
                requireNone("--status", !jobFlags.isEmpty(), "job flags " + jobFlags);
                printStatus(deployment, out);
            } else if (upgrade) {
                requireNone("--upgrade", fromSavepoint != null, "--from-savepoint (it takes its own savepoint)");
                if (savepointDir == null) {
                    throw new IllegalArgumentException("--upgrade needs --savepoint-dir DIR (where the cluster writes"
                            + " the savepoint)");
                }
                IngestDeployment.Upgrade done = deployment.upgrade(jar(), jobArgs(), Optional.ofNullable(parallelism),
                        savepointLocation(savepointDir), savepointTimeout);
                out.println("stopped job " + done.stoppedJobId() + " with savepoint " + done.savepoint());
                out.println("upgraded " + IngestJob.JOB_NAME + ": job " + done.jobId() + " started from it");
            } else {
                requireNone("deploy", savepointDir != null, "--savepoint-dir (only with --upgrade)");
                String jobId = deployment.deploy(jar(), jobArgs(), Optional.ofNullable(parallelism),
                        Optional.ofNullable(fromSavepoint));
                out.println("deployed " + IngestJob.JOB_NAME + " as job " + jobId);
            }
        } catch (FlinkRestException | IllegalStateException e) {
            throw new CommandFailedException(e.getMessage());
        }
        out.flush();
        return 0;
    }

    private void printStatus(IngestDeployment deployment, PrintWriter out) throws InterruptedException {
        IngestDeployment.Status s = deployment.status().orElseThrow(() -> new CommandFailedException(
                "no " + IngestJob.JOB_NAME + " job runs on " + flink));
        out.println("job " + s.job().id() + " " + s.job().name() + " " + s.job().state() + " since "
                + Instant.ofEpochMilli(s.job().startTimeMs()));
        out.println("checkpoints: " + s.checkpoints().completed() + " completed, " + s.checkpoints().failed()
                + " failed, " + s.checkpoints().inProgress() + " in progress");
        out.println("latest completed checkpoint: " + s.checkpoints().latestCompletedId()
                .map(id -> id + " at " + s.checkpoints().latestCompletedPath().orElse("?")).orElse("none yet"));
        out.println("restored from: " + s.checkpoints().restoredFrom().orElse("nothing (fresh start)"));
        out.println("restarts: " + s.restarts().map(String::valueOf).orElse("not reported"));
        // the metric above comes from a cache that may lag; the exception history is the JobManager's own record
        out.println("failures recorded: " + s.failures().size()
                + (s.failures().isEmpty() ? "" : " (newest: " + s.failures().get(0) + ")"));
    }

    private static void requireNone(String mode, boolean present, String what) {
        if (present) {
            throw new IllegalArgumentException(mode + " does not take " + what);
        }
    }

    /** The job's flags: {@code --bootstrap} from this command, then the unmatched options as given. */
    private List<String> jobArgs() {
        List<String> args = new ArrayList<>(List.of("--bootstrap", bootstrap.bootstrap));
        args.addAll(jobFlags);
        return args;
    }

    private Path jar() {
        return jar != null ? jar : JobJar.locate();
    }

    /** A path on the cluster's hosts must be absolute: the CLI's working directory means nothing there. */
    static String savepointLocation(String dir) {
        if (dir.contains("://") || dir.startsWith("file:")) {
            return URI.create(dir).toString();
        }
        if (!Path.of(dir).isAbsolute()) {
            throw new IllegalArgumentException("--savepoint-dir must be an absolute path on the cluster's hosts or a"
                    + " URI, got '" + dir + "'");
        }
        return Path.of(dir).toUri().toString();
    }
}
