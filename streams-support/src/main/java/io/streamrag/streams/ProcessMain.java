package io.streamrag.streams;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code main} of a streamrag process: start the component, keep the JVM up until SIGTERM or SIGINT, then close
 * the component (its own close is bounded) and exit 0. A bad configuration exits 2 and a failed start 1, each with
 * a one-line reason on stderr, as the {@code streamrag} command does.
 */
public final class ProcessMain {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessMain.class);

    /** Starts what the process runs; returns once it is started (not necessarily ready). */
    @FunctionalInterface
    public interface Starter {
        AutoCloseable start() throws Exception;
    }

    private ProcessMain() {
    }

    /**
     * The configuration file named by {@code --config FILE} (or {@code --config=FILE}) in {@code args}, or null when
     * there is none: the environment alone configures the process then.
     *
     * @throws IllegalArgumentException on any other argument, with the usage
     */
    public static Path configFile(String command, String[] args) {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--config") && i + 1 < args.length) {
                file = Path.of(args[++i]);
            } else if (arg.startsWith("--config=")) {
                file = Path.of(arg.substring("--config=".length()));
            } else {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'; usage: " + command
                        + " [--config FILE] (keys in the file, STREAMRAG_<KEY> environment variables over them)");
            }
        }
        return file;
    }

    /**
     * Runs {@code starter}'s component until the JVM is asked to stop, then closes it.
     *
     * @param name the process, for messages ("query processor")
     * @return the exit status: 0 after a clean stop, 1 if it failed to start, 2 on a bad configuration
     */
    public static int run(String name, Starter starter) {
        AutoCloseable component;
        try {
            component = starter.start();
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("streamrag " + name + ": bad configuration: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            LOG.error("The {} failed to start", name, e);
            System.err.println("streamrag " + name + ": failed to start: " + e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            LOG.info("Stopping the {} (signal received)", name);
            try {
                component.close();
                LOG.info("The {} stopped cleanly", name);
            } catch (Exception e) {
                LOG.warn("The {} did not stop cleanly: {}", name, e.toString(), e);
            } finally {
                stopped.countDown();
            }
        }, name.replace(' ', '-') + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
