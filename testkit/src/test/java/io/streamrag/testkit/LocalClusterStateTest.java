package io.streamrag.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.testkit.LocalClusterState.RecordedProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalClusterStateTest {
    @TempDir
    Path dir;

    @Test
    void anotherJvmFindsTheRecordedProcessesInStartOrderAndCanStartOneAgain() throws Exception {
        try (ChildProcess first = sleeper("first"); ChildProcess second = sleeper("second")) {
            LocalClusterState state = LocalClusterState.load(dir);
            state.addProcess(first);
            state.addProcess(second);
            state.putEndpoint("kafka.bootstrap", "127.0.0.1:1");

            List<RecordedProcess> loaded = LocalClusterState.load(dir).processes();

            assertThat(loaded).extracting(RecordedProcess::name).containsExactly("first", "second");
            assertThat(loaded.get(0).pid()).isEqualTo(first.pid());
            assertThat(loaded.get(0).handle()).isPresent();
            assertThat(loaded.get(1).command()).isEqualTo(List.of("sleep", "600"));
            assertThat(Files.readString(dir.resolve("pids/second.pid")).strip()).isEqualTo(Long.toString(second.pid()));
            assertThat(LocalClusterState.load(dir).endpoints()).containsEntry("kafka.bootstrap", "127.0.0.1:1");

            first.kill();
            assertThat(loaded.get(0).handle()).isEmpty();
            try (ChildProcess again = loaded.get(0).relaunch()) {
                state.addProcess(again);
                List<RecordedProcess> after = LocalClusterState.load(dir).processes();
                assertThat(after).extracting(RecordedProcess::name).containsExactly("first", "second");
                assertThat(after.get(0).pid()).isEqualTo(again.pid()).isNotEqualTo(first.pid());
                assertThat(after.get(0).handle()).isPresent();
            }
        }
    }

    @Test
    void aRecordedPidThatNowNamesAnotherProcessIsNotTakenForTheChild() throws Exception {
        try (ChildProcess child = sleeper("child")) {
            RecordedProcess stale = new RecordedProcess("child", child.pid(),
                    child.startInstant().orElseThrow().toEpochMilli() - 60_000, child.logFile(), 0, List.of("sleep"), dir);
            assertThat(stale.handle()).isEmpty();
        }
    }

    @Test
    void clearForgetsEverythingButKeepsTheData() throws Exception {
        Files.writeString(Files.createDirectories(dir.resolve("kafka")).resolve("data"), "kept");
        try (ChildProcess child = sleeper("child")) {
            LocalClusterState state = LocalClusterState.load(dir);
            state.addProcess(child);
            state.clear();
        }
        assertThat(LocalClusterState.load(dir).processes()).isEmpty();
        assertThat(dir.resolve("pids/child.pid")).doesNotExist();
        assertThat(dir.resolve("kafka/data")).hasContent("kept");
    }

    private ChildProcess sleeper(String name) throws Exception {
        return ChildProcess.builder(name).command(List.of("sleep", "600")).directory(dir)
                .logFile(dir.resolve(name + ".log")).start();
    }
}
