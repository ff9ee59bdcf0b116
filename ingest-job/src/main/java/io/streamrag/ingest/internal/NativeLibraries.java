package io.streamrag.ingest.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps DJL's native libraries apart per Flink user-code class loader.
 *
 * <p>A JVM loads a native library file into one class loader only. DJL copies the tokenizers library to a fixed path
 * in its cache directory and loads it from there, so the second job whose jar brings DJL into the same TaskManager (an
 * upgrade, a redeploy) fails in every task with {@code UnsatisfiedLinkError: ... already loaded in another
 * classloader} for as long as the old job's class loader lives. (ONNX Runtime's own loader extracts to a fresh
 * temporary directory each time and needs nothing.)
 *
 * <p>When this class comes from a class loader other than the JVM's application class loader (a job jar on a
 * cluster), the first {@link #isolate()} points DJL's engine cache (system property {@code ENGINE_CACHE_DIR}) at a new
 * directory under {@code java.io.tmpdir}, so that this class loader loads its own copy. On the application class
 * loader (the dev stack's MiniCluster, tests) it changes nothing. Each job start on a TaskManager leaves one copy
 * (about 15 MB) in its temporary directory. Thread-safe.
 */
final class NativeLibraries {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLibraries.class);
    private static final String ENGINE_CACHE_DIR = "ENGINE_CACHE_DIR";
    /** Static per class loader: each job's copy of this class has its own. */
    private static final AtomicBoolean ISOLATED = new AtomicBoolean();

    private NativeLibraries() {
    }

    /** Call before anything loads DJL's tokenizers in this class loader; later calls do nothing. */
    static void isolate() {
        if (NativeLibraries.class.getClassLoader() == ClassLoader.getSystemClassLoader()
                || !ISOLATED.compareAndSet(false, true)) {
            return;
        }
        if (System.getenv(ENGINE_CACHE_DIR) != null) {
            // DJL reads the environment first: a second job on this TaskManager will fail to load the tokenizers
            LOG.warn("{} is set in the environment ({}): DJL's native libraries cannot be kept apart per job; a"
                    + " second job on this TaskManager will fail to load them until it restarts", ENGINE_CACHE_DIR,
                    System.getenv(ENGINE_CACHE_DIR));
            return;
        }
        try {
            Path dir = Files.createTempDirectory("streamrag-djl-");
            System.setProperty(ENGINE_CACHE_DIR, dir.toString());
            LOG.info("DJL native libraries of this job's class loader go to {}", dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for DJL's native libraries under "
                    + System.getProperty("java.io.tmpdir") + "; check that it is writable", e);
        }
    }
}
