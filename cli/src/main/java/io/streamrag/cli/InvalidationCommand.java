package io.streamrag.cli;

import io.streamrag.invalidation.InvalidationProcessor;
import io.streamrag.invalidation.InvalidationProcessorConfig;
import io.streamrag.streams.CommonOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Command;

/** {@code streamrag invalidation}: the cache invalidation processor against any Kafka and Redis. */
@Command(name = "invalidation", description = "Run the cache invalidation processor against any Kafka cluster and "
        + "Redis, configured by a properties file and STREAMRAG_<KEY> environment variables.")
final class InvalidationCommand extends ProcessCommand {
    @Override
    String processName() {
        return "invalidation processor";
    }

    @Override
    ConfigDef definition() {
        return InvalidationProcessorConfig.DEFINITION;
    }

    @Override
    Map<String, List<String>> envAliases() {
        return CommonOptions.ENV_ALIASES;
    }

    @Override
    AutoCloseable start(Path config) {
        return InvalidationProcessor.start(InvalidationProcessorConfig.load(config, System.getenv()));
    }
}
