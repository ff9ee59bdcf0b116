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

    /**
     * Produces one record as the README shows: {@code printf 'KEY\tVALUE\n' | kcat -P -b BOOTSTRAP -t TOPIC -K '\t'},
     * and waits for kcat to exit 0.
     */
    static void produce(Path kcat, String bootstrap, String topic, String key, String value)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(kcat.toString(), "-P", "-b", bootstrap, "-t", topic, "-K", "\\t")
                .redirectErrorStream(true).start();
        try {
            try (var stdin = process.getOutputStream()) {
                stdin.write((key + "\t" + value + "\n").getBytes(StandardCharsets.UTF_8));
            }
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
    }
}
