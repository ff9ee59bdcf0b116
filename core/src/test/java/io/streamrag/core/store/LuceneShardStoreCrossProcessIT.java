package io.streamrag.core.store;

import static io.streamrag.core.store.VectorStoreContract.DIMENSION;
import static io.streamrag.core.store.VectorStoreContract.chunks;
import static io.streamrag.core.store.VectorStoreContract.ids;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read-only store in another OS process (a child JVM on this JVM's classpath, {@link CrossProcessReader}) over
 * the directory a writer here commits to: it sees every commit at its next search (and nothing uncommitted),
 * including collections created after it opened, with one writer and with two writers sharing the directory.
 */
class LuceneShardStoreCrossProcessIT {
    /** Guards against a hung child only; never a timing assertion. */
    private static final long ANSWER_TIMEOUT_S = 60;

    @TempDir
    Path tmp;

    private ChildReader child;

    @AfterEach
    void stopChild() throws Exception {
        if (child != null) {
            child.close();
        }
    }

    @Test
    void aReaderInAnotherProcessSeesEveryCommitAndNewCollections() throws Exception {
        Path dataDir = tmp.resolve("index"); // does not exist yet when the reader starts
        child = ChildReader.start(dataDir, tmp.resolve("child-stderr.log"));
        assertThat(child.chunkIds("docs")).isEmpty();

        try (LuceneShardStore writer = LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION)
                .shardsPerCollection(3).build()) {
            Set<String> expected = new TreeSet<>();
            for (int round = 1; round <= 8; round++) {
                // an update of d0, a new document, and every third round a delete of the previous new one
                List<IndexedChunk> d0 = chunks("docs", "d0", round, 2);
                writer.replaceDocument("docs", "d0", d0);
                List<IndexedChunk> added = chunks("docs", "d" + round, 1, 1 + round % 3);
                writer.replaceDocument("docs", "d" + round, added);
                if (round % 3 == 0) {
                    writer.deleteDocument("docs", "d" + (round - 1));
                }
                assertThat(child.chunkIds("docs")).as("round %d before its commit", round).isEqualTo(expected);

                writer.commit();
                expected.removeIf(id -> id.contains("/d0#"));
                expected.addAll(ids(d0));
                expected.addAll(ids(added));
                if (round % 3 == 0) {
                    String deleted = "/d" + (round - 1) + "#";
                    expected.removeIf(id -> id.contains(deleted));
                }
                assertThat(child.chunkIds("docs")).as("round %d after its commit", round).isEqualTo(expected);
            }

            // a collection created after the reader opened
            assertThat(child.chunkIds("late")).isEmpty();
            writer.replaceDocument("late", "x", chunks("late", "x", 1, 2));
            writer.commit();
            assertThat(child.chunkIds("late")).containsExactlyInAnyOrderElementsOf(ids(chunks("late", "x", 1, 2)));
        }
    }

    @Test
    void aReaderInAnotherProcessSeesTheCommitsOfTwoWritersSharingTheDirectory() throws Exception {
        Path dataDir = Files.createDirectories(tmp.resolve("index"));
        child = ChildReader.start(dataDir, tmp.resolve("child-stderr.log"));
        try (LuceneShardStore first = shareOf(dataDir, 0); LuceneShardStore second = shareOf(dataDir, 1)) {
            List<LuceneShardStore> writers = List.of(first, second);
            Set<String> expected = new TreeSet<>();
            for (int i = 0; i < 10; i++) {
                String docId = "d" + i;
                LuceneShardStore owner = writers.get(
                        ShardOwnership.writerOf("shared", new ShardRouter(2).shardFor(docId), 2));
                List<IndexedChunk> doc = chunks("shared", docId, 1, 1);
                owner.replaceDocument("shared", docId, doc);
                owner.commit();
                expected.addAll(ids(doc));
                assertThat(child.chunkIds("shared")).as("after %s", docId).isEqualTo(expected);
            }
        }
    }

    private static LuceneShardStore shareOf(Path dataDir, int writer) {
        return LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION).shardsPerCollection(2)
                .ownership(new ShardOwnership(writer, 2)).build();
    }

    /** The child JVM running {@link CrossProcessReader}; {@link #close} stops it, forcibly if it must. */
    private static final class ChildReader implements AutoCloseable {
        private final Process process;
        private final Writer stdin;
        private final BlockingQueue<String> results = new LinkedBlockingQueue<>();
        private final Path stderr;

        private ChildReader(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread pump = new Thread(this::pumpStdout, "cross-process-reader-stdout");
            pump.setDaemon(true);
            pump.start();
        }

        static ChildReader start(Path dataDir, Path stderr) throws Exception {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m",
                    "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                    "-cp", System.getProperty("java.class.path"),
                    CrossProcessReader.class.getName(), dataDir.toString(), Integer.toString(DIMENSION)));
            Process process = new ProcessBuilder(command)
                    .redirectError(stderr.toFile())
                    .start();
            ChildReader child = new ChildReader(process, stderr);
            try {
                child.await("READY");
                return child;
            } catch (Exception | AssertionError e) {
                child.close();
                throw e;
            }
        }

        /** Every chunk id of {@code collection} the child's store sees now. */
        Set<String> chunkIds(String collection) throws Exception {
            stdin.write(collection + "\n");
            stdin.flush();
            String line = await(CrossProcessReader.RESULT);
            String ids = line.substring(CrossProcessReader.RESULT.length());
            return ids.isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(ids.split(",")));
        }

        private String await(String prefix) throws Exception {
            while (true) {
                String line = results.poll(ANSWER_TIMEOUT_S, TimeUnit.SECONDS);
                if (line == null) {
                    throw new AssertionError("the child reader did not answer within " + ANSWER_TIMEOUT_S
                            + " s (alive: " + process.isAlive() + "); its stderr: " + stderrText());
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        private void pumpStdout() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    results.add(line);
                }
            } catch (IOException e) {
                // the stream closes when the child is stopped; a failure before that shows up as a missing answer
                results.add("PUMP FAILED " + e);
            }
        }

        private String stderrText() {
            try {
                return Files.exists(stderr) ? Files.readString(stderr) : "(none)";
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }

        @Override
        public void close() throws Exception {
            try {
                stdin.close(); // the child ends its loop and closes its store
            } finally {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
