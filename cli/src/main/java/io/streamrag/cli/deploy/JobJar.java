package io.streamrag.cli.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the ingest job jar that the build leaves in {@code ingest-job/target} (classifier {@code job}) of the
 * streamrag checkout this CLI runs from: the directory in the system property {@value #HOME_PROPERTY} (set by
 * {@code bin/streamrag}), else the one above {@code cli/target} where this class was loaded from (its
 * {@code classes} directory or the cli jar).
 */
public final class JobJar {
    /** The checkout's root directory, as {@code bin/streamrag} passes it. */
    public static final String HOME_PROPERTY = "streamrag.home";
    private static final String BUILD_HINT = "build it with ./mvnw -q -B -pl ingest-job -am package -DskipTests,"
            + " or pass --jar";

    private JobJar() {
    }

    /**
     * The one {@code streamrag-ingest-job-*-job.jar} in the checkout's {@code ingest-job/target}.
     *
     * @throws IllegalArgumentException when the checkout cannot be found, or holds no or several job jars; the
     *                                  message says how to build one or to pass {@code --jar}
     */
    public static Path locate() {
        Path home = home().orElseThrow(() -> new IllegalArgumentException("cannot tell where the streamrag checkout"
                + " is (set -D" + HOME_PROPERTY + " or run bin/streamrag) to find the job jar: pass --jar"));
        return inCheckout(home);
    }

    static Path inCheckout(Path home) {
        Path target = home.resolve("ingest-job").resolve("target");
        List<Path> jars;
        try (Stream<Path> files = Files.isDirectory(target) ? Files.list(target) : Stream.empty()) {
            jars = files.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith("streamrag-ingest-job-") && name.endsWith("-job.jar");
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + target, e);
        }
        if (jars.isEmpty()) {
            throw new IllegalArgumentException("no job jar in " + target + ": " + BUILD_HINT);
        }
        if (jars.size() > 1) {
            throw new IllegalArgumentException("several job jars in " + target + " " + jars.stream()
                    .map(p -> p.getFileName().toString()).toList() + ": pass --jar");
        }
        return jars.get(0);
    }

    private static Optional<Path> home() {
        String property = System.getProperty(HOME_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Optional.of(Path.of(property));
        }
        CodeSource source = JobJar.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return Optional.empty();
        }
        try {
            // <home>/cli/target/classes (bin/streamrag, an IDE) or <home>/cli/target/streamrag-cli-*.jar (failsafe)
            Path target = Path.of(source.getLocation().toURI()).getParent();
            if (target != null && target.endsWith(Path.of("cli", "target"))) {
                return Optional.of(target.getParent().getParent());
            }
            return Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a file location (a jar inside another, a remote URL): no checkout to look in
            return Optional.empty();
        }
    }
}
