package io.streamrag.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The jars a Flink 2.2 standalone cluster and its {@code flink run} client run from, in place of flink-dist's
 * {@code lib/} (flink-dist is not on Maven Central): Flink's runtime, client, REST jar upload (flink-runtime-web),
 * RPC loader and log4j, as resolved by Maven when the {@code flink-classpath} module was built (the resource
 * {@value #RESOURCE}). No streamrag class is on it: a job jar brings its own.
 */
public final class FlinkClasspath {
    /** The resource the {@code flink-classpath} module writes: the jars, joined by the platform's path separator. */
    public static final String RESOURCE = "META-INF/streamrag/flink-cluster-classpath.txt";

    private FlinkClasspath() {
    }

    /**
     * The cluster's jars, each checked to exist.
     *
     * @throws IllegalStateException when the resource is missing (build the {@code flink-classpath} module, e.g.
     *                               with {@code -am}) or names a jar that is gone (rebuild it)
     */
    public static List<Path> jars() {
        String text;
        try (InputStream in = FlinkClasspath.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath: build the flink-classpath module"
                        + " (mvn -pl <module> -am ...) or add streamrag-flink-classpath as a dependency");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        List<Path> jars = Arrays.stream(text.split(File.pathSeparator)).map(String::trim)
                .filter(s -> !s.isEmpty()).map(Path::of).toList();
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(RESOURCE + " names " + jar + ", which does not exist: rebuild the"
                        + " flink-classpath module so that Maven resolves its dependencies again");
            }
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException(RESOURCE + " is empty: rebuild the flink-classpath module");
        }
        return jars;
    }

    /** {@link #jars()} as a {@code -cp} argument. */
    public static String asArgument() {
        return String.join(File.pathSeparator, jars().stream().map(Path::toString).toList());
    }
}
