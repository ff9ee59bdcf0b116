package io.streamrag.cli;

import io.streamrag.gateway.Gateway;
import io.streamrag.gateway.GatewayConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Command;

/** {@code streamrag gateway}: one HTTP gateway instance against any Kafka cluster and Redis. */
@Command(name = "gateway", description = "Run one HTTP gateway (REST, SSE, OpenAI-compatible chat completions, "
        + "document intake) against any Kafka cluster and Redis, configured by a properties file and "
        + "STREAMRAG_<KEY> environment variables.")
final class GatewayCommand extends ProcessCommand {
    @Override
    String processName() {
        return "gateway";
    }

    @Override
    ConfigDef definition() {
        return GatewayConfig.DEFINITION;
    }

    @Override
    Map<String, List<String>> envAliases() {
        return GatewayConfig.ENV_ALIASES;
    }

    @Override
    AutoCloseable start(Path config) {
        return Gateway.start(GatewayConfig.load(config, System.getenv()));
    }
}
