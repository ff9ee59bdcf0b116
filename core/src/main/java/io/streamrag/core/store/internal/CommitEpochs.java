package io.streamrag.core.store.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Persists the store's commit epoch in {@code <dataDir>/_commit-epoch} so that epochs keep increasing across
 * restarts. A writer reserves the next epoch here <em>before</em> it commits the shards: a crash between the
 * two leaves a gap, never a repeated epoch. Internal: not part of the public API; used by the single writer.
 */
public final class CommitEpochs {
    public static final String FILE_NAME = "_commit-epoch";
    /** Key of the epoch in each shard's Lucene commit user data, for diagnostics (the file above is authoritative). */
    public static final String COMMIT_DATA_KEY = "streamrag.epoch";

    private CommitEpochs() {
    }

    /** The last reserved epoch, or 0 when none was ever written. */
    public static long read(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
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

    /** Durably records {@code epoch} as reserved. */
    public static void write(Path dataDir, long epoch) throws IOException {
        AtomicFiles.write(dataDir.resolve(FILE_NAME),
                out -> out.write((epoch + "\n").getBytes(StandardCharsets.UTF_8)));
    }
}
