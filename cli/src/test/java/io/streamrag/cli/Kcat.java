package io.streamrag.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The real {@code kcat} binary (Debian package {@code kcat}) as an external Kafka producer. */
final class Kcat {
    private Kcat() {
    }

    /** kcat on the PATH, if installed. */
    static Optional<Path> find() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kcat");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Produces one record with {@code kcat -P} and waits for kcat to exit 0. */
    static void produce(Path kcat, String bootstrap, String topic, String key, String value)
            throws IOException, InterruptedException {
        Path input = Files.createTempFile("kcat", ".txt");
        try {
            // one line "key<TAB>value": -K sets the key delimiter, -l reads the file as one message per line
            Files.writeString(input, key + "\t" + value + "\n", StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder(kcat.toString(), "-P", "-b", bootstrap, "-t", topic,
                    "-K", "\t", "-l", input.toString()).redirectErrorStream(true);
            Process process = builder.start();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("kcat did not finish within 60 s");
                }
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (process.exitValue() != 0) {
                    throw new IllegalStateException("kcat exited " + process.exitValue() + ": " + output);
                }
            } finally {
                process.destroyForcibly();
            }
        } finally {
            Files.deleteIfExists(input);
        }
    }
}
