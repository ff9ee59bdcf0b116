package io.streamrag.core.corpus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reads a JSON Lines file, gzip-compressed when its name ends in {@code .gz}. Stateless. */
public final class JsonLines {
    private JsonLines() {
    }

    /** What to do with one line. */
    @FunctionalInterface
    public interface LineHandler {
        /**
         * @param number the line's number in the file, from 1
         * @param line   the line, never blank
         */
        void accept(int number, String line) throws IOException;
    }

    /** Hands every non-blank line of {@code path} to {@code handler}, in file order. */
    public static void forEach(Path path, LineHandler handler) throws IOException {
        boolean gzip = path.getFileName() != null && path.getFileName().toString().endsWith(".gz");
        try (InputStream raw = Files.newInputStream(path);
             InputStream in = gzip ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (!line.isBlank()) {
                    handler.accept(number, line);
                }
            }
        }
    }
}
