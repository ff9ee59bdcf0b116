package io.streamrag.ingest;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints that outlive a job run, so that a restarted job resumes where the last one stopped: with its
 * version-guard state and its source offsets, even after a crash of the whole process.
 *
 * <p>Layout (Flink's): {@code <checkpointDir>/<jobId>/chk-<n>/_metadata}, one job directory per run; a checkpoint
 * is complete once its {@code _metadata} exists. {@link #configure} points Flink's checkpoints at the directory,
 * retains them when the job is cancelled or fails, and sets {@code execution.state-recovery.path} to the newest
 * complete checkpoint of any earlier run. Only local (or locally mounted) directories are scanned.
 *
 * <p>Older runs' directories are not deleted: each keeps its last checkpoint (one per run, small for this job).
 * Stateless; thread-safe.
 */
public final class RetainedCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(RetainedCheckpoints.class);
    private static final String METADATA = "_metadata";

    private RetainedCheckpoints() {
    }

    /**
     * Sets in {@code config}: the checkpoint directory, retention on cancellation, and the recovery path when a
     * complete checkpoint exists there.
     *
     * @return the checkpoint the job will resume from, or empty for a fresh start
     */
    public static Optional<Path> configure(Configuration config, Path checkpointDir) {
        configureStorage(config, checkpointDir);
        Optional<Path> latest = latest(checkpointDir);
        latest.ifPresentOrElse(
                chk -> {
                    LOG.info("Resuming from retained checkpoint {}", chk);
                    config.set(StateRecoveryOptions.SAVEPOINT_PATH, chk.toString());
                },
                () -> LOG.info("No retained checkpoint in {}: starting without state", checkpointDir));
        return latest;
    }

    /**
     * Sets in {@code config} the checkpoint directory and retention on cancellation only, without looking for a
     * checkpoint to resume from: for a job whose submitter chose what it restores from (a savepoint).
     */
    public static void configureStorage(Configuration config, Path checkpointDir) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toUri().toString());
        config.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }

    /**
     * The newest complete checkpoint under {@code checkpointDir} (the {@code chk-<n>} directory), by the time its
     * {@code _metadata} was written; checkpoints whose metadata cannot be read (a process killed while writing
     * it) are skipped with a warning.
     *
     * @throws UncheckedIOException if the directory exists but cannot be listed
     */
    public static Optional<Path> latest(Path checkpointDir) {
        if (!Files.isDirectory(checkpointDir)) {
            return Optional.empty();
        }
        List<Candidate> candidates = new ArrayList<>();
        try (Stream<Path> jobs = Files.list(checkpointDir)) {
            for (Path job : jobs.filter(Files::isDirectory).toList()) {
                try (Stream<Path> chks = Files.list(job)) {
                    for (Path chk : chks.filter(p -> p.getFileName().toString().startsWith("chk-")).toList()) {
                        Path metadata = chk.resolve(METADATA);
                        if (Files.isRegularFile(metadata)) {
                            candidates.add(new Candidate(chk, Files.getLastModifiedTime(metadata), number(chk)));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + checkpointDir
                    + "; check that the directory is readable", e);
        }
        candidates.sort(Comparator.comparing(Candidate::written).thenComparingLong(Candidate::number).reversed());
        for (Candidate candidate : candidates) {
            if (readable(candidate.dir())) {
                return Optional.of(candidate.dir());
            }
        }
        return Optional.empty();
    }

    private static boolean readable(Path chk) {
        try (InputStream in = Files.newInputStream(chk.resolve(METADATA));
             DataInputStream data = new DataInputStream(in)) {
            Checkpoints.loadCheckpointMetadata(data, RetainedCheckpoints.class.getClassLoader(), chk.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Skipping checkpoint {}: its metadata cannot be read ({})", chk, e.toString());
            return false;
        }
    }

    private static long number(Path chk) {
        try {
            return Long.parseLong(chk.getFileName().toString().substring("chk-".length()));
        } catch (NumberFormatException e) {
            return -1; // not Flink's naming; ordered by time only
        }
    }

    private record Candidate(Path dir, FileTime written, long number) {
    }
}
