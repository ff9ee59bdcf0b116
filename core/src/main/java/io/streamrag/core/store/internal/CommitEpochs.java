package io.streamrag.core.store.internal;

import io.streamrag.core.store.ShardOwnership;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Persists each writer's commit epoch in {@code <dataDir>/_commit-epoch} (the only writer) or
 * {@code <dataDir>/_commit-epoch-<i>-of-<n>} (one of several, see {@link ShardOwnership}) so that epochs keep
 * increasing across restarts. A writer reserves the next epoch in its file <em>before</em> it commits the shards:
 * a crash between the two leaves a gap, never a repeated epoch. A writer starts from the newest epoch of all
 * files, so epochs of one shard keep increasing when another writer takes it over; writers running side by side
 * may hand out the same numbers (an epoch orders the commits of one writer, and so of one document). Internal: not
 * part of the public API.
 */
public final class CommitEpochs {
    public static final String FILE_NAME = "_commit-epoch";
    /** Key of the epoch in each shard's Lucene commit user data, for diagnostics (the files above are authoritative). */
    public static final String COMMIT_DATA_KEY = "streamrag.epoch";

    private CommitEpochs() {
    }

    /** The epoch file of the writer with {@code ownership}. */
    public static String fileName(ShardOwnership ownership) {
        return ownership.ownsAll() ? FILE_NAME : FILE_NAME + "-" + ownership.writer() + "-of-" + ownership.writers();
    }

    /** The newest epoch any writer reserved in {@code dataDir}, or 0 when none was ever written. */
    public static long readNewest(Path dataDir) throws IOException {
        long newest = 0L;
        // the temp files of AtomicFiles start with "__", so this glob never matches them
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dataDir, FILE_NAME + "*")) {
            for (Path file : files) {
                newest = Math.max(newest, read(file));
            }
        }
        return newest;
    }

    private static long read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return 0L;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("commit epoch file " + file + " does not hold a number: '" + text + "'", e);
        }
    }

    /** Durably records {@code epoch} as reserved in {@code fileName} (see {@link #fileName}). */
    public static void write(Path dataDir, String fileName, long epoch) throws IOException {
        AtomicFiles.write(dataDir.resolve(fileName),
                out -> out.write((epoch + "\n").getBytes(StandardCharsets.UTF_8)));
    }
}
