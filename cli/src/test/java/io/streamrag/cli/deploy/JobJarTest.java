package io.streamrag.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobJarTest {
    @TempDir
    Path home;

    @Test
    void findsTheJobJarBesideThePlainOne() throws IOException {
        Path target = Files.createDirectories(home.resolve("ingest-job/target"));
        Files.createFile(target.resolve("streamrag-ingest-job-0.1.0-SNAPSHOT.jar"));
        Path job = Files.createFile(target.resolve("streamrag-ingest-job-0.1.0-SNAPSHOT-job.jar"));

        assertThat(JobJar.inCheckout(home)).isEqualTo(job);
    }

    @Test
    void withoutABuiltJarItSaysHowToBuildOne() {
        assertThatThrownBy(() -> JobJar.inCheckout(home))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no job jar in")
                .hasMessageContaining("-pl ingest-job -am package")
                .hasMessageContaining("--jar");
    }
}
