package io.streamrag.cli;

import io.streamrag.cli.dev.DevSettings;
import io.streamrag.cli.dev.DevStack;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamrag dev}: runs the embedded stack in the foreground until Ctrl-C or SIGTERM. */
@Command(name = "dev", description = "Run the whole stack on this machine (Kafka, Flink job, query processor).")
final class DevCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = ".streamrag/dev", paramLabel = "DIR",
            description = "Where the stack keeps its data across restarts (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "9092", paramLabel = "P",
            description = "Kafka port on localhost (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int kafkaPort;

    @Option(names = "--controller-port", defaultValue = "0", paramLabel = "P",
            description = "KRaft controller port on localhost (default: a free one)")
    int controllerPort;

    @Option(names = "--gateway-port", defaultValue = "8080", paramLabel = "P",
            description = "HTTP gateway port on localhost (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int gatewayPort;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        DevStack stack = DevStack.start(new DevSettings(dataDir, kafkaPort, controllerPort, gatewayPort));
        Thread shutdown = new Thread(() -> {
            spec.commandLine().getOut().println("stopping");
            spec.commandLine().getOut().flush();
            stack.close();
            stopped.countDown();
        }, "streamrag-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        spec.commandLine().getOut().println("ready: Kafka bootstrap " + stack.bootstrapServers() + ", gateway "
                + stack.gatewayUrl() + ", data in "
                + dataDir.toAbsolutePath() + " (Ctrl-C stops)");
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
