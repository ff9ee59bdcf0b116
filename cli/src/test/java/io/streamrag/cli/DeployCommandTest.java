package io.streamrag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code streamrag deploy} refuses bad input with one line, before it talks to any cluster. */
class DeployCommandTest {
    // nothing listens there: every case below must fail before a request is made
    private static final String NO_CLUSTER = "http://localhost:1";

    @Test
    void aBadJobFlagFailsBeforeAnyUpload() {
        CliRun run = CliRun.of("deploy", "--flink", NO_CLUSTER, "--jar", "job.jar", "--index-dir", "/x",
                "--shards", "zero");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err().strip()).isEqualTo("streamrag: --shards must be a number, got 'zero'");
    }

    @Test
    void theJobNeedsAnIndexDirectory() {
        CliRun run = CliRun.of("deploy", "--flink", NO_CLUSTER, "--jar", "job.jar");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("--index-dir").doesNotContain("Exception");
    }

    @Test
    void anUpgradeNeedsASavepointDirectory() {
        CliRun run = CliRun.of("deploy", "--upgrade", "--flink", NO_CLUSTER, "--index-dir", "/x");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("--upgrade needs --savepoint-dir");
    }

    @Test
    void theSavepointDirectoryMustMeanSomethingOnTheCluster() {
        CliRun run = CliRun.of("deploy", "--upgrade", "--savepoint-dir", "relative/dir", "--flink", NO_CLUSTER,
                "--index-dir", "/x");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("--savepoint-dir must be an absolute path").contains("'relative/dir'");
    }

    @Test
    void statusTakesNoJobFlags() {
        CliRun run = CliRun.of("deploy", "--status", "--flink", NO_CLUSTER, "--index-dir", "/x");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("--status does not take job flags");
    }

    @Test
    void anUnreachableClusterIsOneLineThatSaysWhatToCheck() {
        CliRun run = CliRun.of("deploy", "--status", "--flink", NO_CLUSTER);

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err().strip()).startsWith("streamrag: cannot reach Flink at http://localhost:1")
                .contains("is the JobManager running").doesNotContain("\n");
    }
}
