package io.streamrag.core.store.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.lucene.util.IOUtils;

/** Replaces small files atomically and durably: write a temp file, fsync it, rename over, fsync the directory. */
final class AtomicFiles {
    private AtomicFiles() {
    }

    static void write(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        // The temp name starts with '_' so it can never collide with a collection directory.
        Path tmp = dir.resolve("_" + target.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            content.writeTo(out);
        }
        IOUtils.fsync(tmp, false);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        IOUtils.fsync(dir, true);
    }

    /** Writes the new file's content; may throw IOException, unlike {@code Consumer}. */
    @FunctionalInterface
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }
}
