package io.streamrag.cli;

import io.streamrag.invalidation.InvalidationProcessor;
import io.streamrag.invalidation.InvalidationProcessorConfig;
import io.streamrag.streams.CommonOptions;
import io.streamrag.streams.ConfigDescription;
import io.streamrag.streams.ProcessMain;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamrag invalidation}: the cache invalidation processor against any Kafka and Redis. */
@Command(name = "invalidation", description = "Run the cache invalidation processor against any Kafka cluster and "
        + "Redis, configured by a properties file and STREAMRAG_<KEY> environment variables.")
final class InvalidationCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file (keys: --describe-config)")
    Path config;

    @Option(names = "--describe-config", description = "Print every configuration key with its default and exit")
    boolean describe;

    @Override
    public Integer call() {
        if (describe) {
            spec.commandLine().getOut().print(ConfigDescription.markdown(InvalidationProcessorConfig.DEFINITION,
                    CommonOptions.ENV_ALIASES));
            spec.commandLine().getOut().flush();
            return 0;
        }
        return ProcessMain.run("invalidation processor",
                () -> InvalidationProcessor.start(InvalidationProcessorConfig.load(config, System.getenv())));
    }
}
