package io.streamrag.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetainedCheckpointsTest {
    @TempDir
    Path dir;

    @Test
    void findsTheNewestCompleteCheckpointAcrossJobRuns() throws IOException {
        checkpoint("job-a", 7, 1_000);
        Path newest = checkpoint("job-b", 2, 3_000); // a later run restarts its numbering
        checkpoint("job-b", 1, 2_000);
        Files.createDirectories(dir.resolve("job-b/chk-3")); // in progress: no _metadata yet

        assertThat(RetainedCheckpoints.latest(dir)).contains(newest);
    }

    @Test
    void skipsACheckpointWhoseMetadataIsTruncated() throws IOException {
        Path older = checkpoint("job-a", 1, 1_000);
        Path broken = checkpoint("job-a", 2, 2_000);
        Files.write(broken.resolve("_metadata"), new byte[] {0, 0, 1});
        Files.setLastModifiedTime(broken.resolve("_metadata"), FileTime.fromMillis(2_000));

        assertThat(RetainedCheckpoints.latest(dir)).contains(older);
    }

    @Test
    void aMissingOrEmptyDirectoryMeansAFreshStart() throws IOException {
        assertThat(RetainedCheckpoints.latest(dir.resolve("absent"))).isEmpty();
        assertThat(RetainedCheckpoints.latest(dir)).isEmpty();

        Configuration config = new Configuration();
        assertThat(RetainedCheckpoints.configure(config, dir)).isEmpty();
        assertThat(config.getOptional(StateRecoveryOptions.SAVEPOINT_PATH)).isEmpty();
    }

    @Test
    void configuresRetentionTheDirectoryAndTheRecoveryPath() throws IOException {
        Path chk = checkpoint("job-a", 4, 1_000);
        Configuration config = new Configuration();

        assertThat(RetainedCheckpoints.configure(config, dir)).contains(chk);

        assertThat(config.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo(dir.toUri().toString());
        assertThat(config.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(config.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo(chk.toString());
    }

    @Test
    void theJobAppliesItWhenACheckpointDirectoryIsSet() throws IOException {
        Path chk = checkpoint("job-a", 4, 1_000);
        IngestSettings settings = IngestSettings.builder().indexDir(dir.resolve("index")).checkpointDir(dir).build();

        assertThat(IngestJob.flinkConfiguration(settings).get(StateRecoveryOptions.SAVEPOINT_PATH))
                .isEqualTo(chk.toString());
        assertThat(IngestJob.flinkConfiguration(settings.toBuilder().build()).toMap()).isNotEmpty();
        IngestSettings without = IngestSettings.builder().indexDir(dir.resolve("index")).build();
        assertThat(IngestJob.flinkConfiguration(without).toMap()).isEmpty();
    }

    @Test
    void aSavepointTheSubmitterChoseWinsOverTheNewestRetainedCheckpoint() throws IOException {
        checkpoint("job-a", 4, 1_000);
        IngestSettings settings = IngestSettings.builder().indexDir(dir.resolve("index")).checkpointDir(dir).build();

        Configuration config = IngestJob.flinkConfiguration(settings, Optional.of("file:/savepoints/sp-1"));

        assertThat(config.getOptional(StateRecoveryOptions.SAVEPOINT_PATH)).isEmpty();
        assertThat(config.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo(dir.toUri().toString());
        assertThat(config.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }

    /** A checkpoint directory with valid (empty) Flink metadata written at {@code modifiedMillis}. */
    private Path checkpoint(String job, long id, long modifiedMillis) throws IOException {
        Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + id));
        Path metadata = chk.resolve("_metadata");
        try (OutputStream out = Files.newOutputStream(metadata); DataOutputStream data = new DataOutputStream(out)) {
            Checkpoints.storeCheckpointMetadata(new CheckpointMetadata(id, List.of(), List.of()), data);
        }
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(modifiedMillis));
        return chk;
    }
}
