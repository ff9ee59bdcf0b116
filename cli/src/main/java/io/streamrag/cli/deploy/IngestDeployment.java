package io.streamrag.cli.deploy;

import io.streamrag.cli.deploy.FlinkRestClient.CheckpointStats;
import io.streamrag.cli.deploy.FlinkRestClient.JarRun;
import io.streamrag.cli.deploy.FlinkRestClient.JobOverview;
import io.streamrag.ingest.IngestJob;
import io.streamrag.ingest.IngestSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The ingest job's life on a Flink session cluster: first deployment, upgrade through a savepoint, status. At most
 * one {@value IngestJob#JOB_NAME} job may be active on a cluster: two would write the same index directory and share
 * a consumer group and transactional ids.
 *
 * <p>Job flags are checked here with {@link IngestSettings#fromArgs} before anything is uploaded, so that a bad flag
 * fails in a second with its own message instead of inside the JobManager.
 */
public final class IngestDeployment {
    private final FlinkRestClient flink;

    public IngestDeployment(FlinkRestClient flink) {
        this.flink = Objects.requireNonNull(flink, "flink");
    }

    /**
     * Uploads {@code jar} and runs the ingest job from it.
     *
     * @param jobArgs       the job's flags (see {@link IngestSettings}), checked before the upload
     * @param fromSavepoint a savepoint or retained checkpoint to start from (it wins over the newest retained
     *                      checkpoint in {@code --checkpoint-dir})
     * @return the new job's id
     * @throws IllegalStateException when an ingest job is already active on the cluster (use {@link #upgrade})
     */
    public String deploy(Path jar, List<String> jobArgs, Optional<Integer> parallelism, Optional<String> fromSavepoint) {
        IngestSettings.fromArgs(jobArgs.toArray(String[]::new));
        Optional<JobOverview> active = active();
        if (active.isPresent()) {
            throw new IllegalStateException(IngestJob.JOB_NAME + " already runs on " + flink.baseUrl() + " as job "
                    + active.get().id() + " (" + active.get().state() + "): use --upgrade to replace it");
        }
        String jarId = flink.uploadJar(jar);
        return flink.runJar(jarId, new JarRun(IngestJob.class.getName(), jobArgs, parallelism, fromSavepoint));
    }

    /**
     * Replaces the active ingest job: uploads {@code jar} first (a failed upload leaves the old job running), stops
     * the old job with a savepoint in {@code savepointDir} ({@code drain=false}), and runs the new jar from it.
     *
     * @param savepointDir a directory every cluster host can write and read (a path on the cluster's hosts, or a
     *                     URI such as {@code file:///...} or {@code s3://...})
     * @throws IllegalStateException when no ingest job is active
     */
    public Upgrade upgrade(Path jar, List<String> jobArgs, Optional<Integer> parallelism, String savepointDir,
                           Duration savepointWait) throws InterruptedException {
        IngestSettings.fromArgs(jobArgs.toArray(String[]::new));
        JobOverview old = active().orElseThrow(() -> new IllegalStateException("no " + IngestJob.JOB_NAME
                + " job runs on " + flink.baseUrl() + " to upgrade: deploy it without --upgrade"));
        String jarId = flink.uploadJar(jar);
        String savepoint = flink.stopWithSavepoint(old.id(), savepointDir, savepointWait);
        String jobId = flink.runJar(jarId, new JarRun(IngestJob.class.getName(), jobArgs, parallelism,
                Optional.of(savepoint)));
        return new Upgrade(old.id(), savepoint, jobId);
    }

    /** The active ingest job with its checkpoints and restarts, or empty when none is active. */
    public Optional<Status> status() throws InterruptedException {
        Optional<JobOverview> job = active();
        if (job.isEmpty()) {
            return Optional.empty();
        }
        String id = job.get().id();
        return Optional.of(new Status(job.get(), flink.checkpoints(id), flink.restarts(id), flink.failures(id)));
    }

    /**
     * The one active ingest job, if any.
     *
     * @throws IllegalStateException when several are active (stop all but one in the Flink UI)
     */
    public Optional<JobOverview> active() {
        List<JobOverview> active = flink.jobs().stream()
                .filter(job -> IngestJob.JOB_NAME.equals(job.name()) && job.active()).toList();
        if (active.size() > 1) {
            throw new IllegalStateException(active.size() + " " + IngestJob.JOB_NAME + " jobs are active on "
                    + flink.baseUrl() + " " + active.stream().map(JobOverview::id).toList()
                    + ": cancel all but one, they write the same index");
        }
        return active.stream().findFirst();
    }

    /** What an upgrade did: the stopped job, the savepoint it left, the job started from it. */
    public record Upgrade(String stoppedJobId, String savepoint, String jobId) {
    }

    /**
     * The active ingest job's state, checkpoints, restart count (empty when Flink does not report it) and the
     * failures it recorded, newest first.
     */
    public record Status(JobOverview job, CheckpointStats checkpoints, Optional<Long> restarts, List<String> failures) {
    }
}
