package io.streamrag.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command lines of child JVMs, and the classpath they run with.
 *
 * <p>The classpath is testkit's runtime classpath as the build wrote it ({@code testkit/target/classpath.txt}, by
 * maven-dependency-plugin at {@code package}) when the system property {@value #CLASSPATH_FILE_PROPERTY} names that
 * file: the ITs (failsafe sets it) and {@code infra/local-cluster} then run the very same jars. Otherwise it is this
 * JVM's own {@code java.class.path}, which works wherever this JVM was started with a plain {@code -cp} (not from a
 * manifest-only jar).
 */
final class JavaCommand {
    /** The system property naming a file that holds the child JVMs' classpath. */
    static final String CLASSPATH_FILE_PROPERTY = "streamrag.testkit.classpath.file";

    private JavaCommand() {
    }

    /** The classpath child JVMs get unless told otherwise (see the class comment). */
    static String defaultClasspath() {
        String file = System.getProperty(CLASSPATH_FILE_PROPERTY);
        if (file == null || file.isBlank()) {
            return System.getProperty("java.class.path");
        }
        try {
            String classpath = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            if (classpath.isEmpty()) {
                throw new IllegalStateException(file + " (" + CLASSPATH_FILE_PROPERTY + ") is empty: rebuild testkit with "
                        + "./mvnw -B -DskipTests -pl testkit -am package");
            }
            return classpath;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the child JVMs' classpath from " + file + " ("
                    + CLASSPATH_FILE_PROPERTY + "): build testkit with ./mvnw -B -DskipTests -pl testkit -am package", e);
        }
    }

    /** {@code java <jvmOptions> -cp <classpath> <mainClass> <args>}, with the java of this JVM. */
    static List<String> of(String classpath, List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }
}
