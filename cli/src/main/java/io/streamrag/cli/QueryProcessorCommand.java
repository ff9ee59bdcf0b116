package io.streamrag.cli;

import io.streamrag.query.QueryProcessor;
import io.streamrag.query.QueryProcessorConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Command;

/** {@code streamrag query-processor}: one query processor instance against any Kafka, Redis and index. */
@Command(name = "query-processor", description = "Run one query processor against any Kafka cluster, Redis and "
        + "index, configured by a properties file and STREAMRAG_<KEY> environment variables.")
final class QueryProcessorCommand extends ProcessCommand {
    @Override
    String processName() {
        return "query processor";
    }

    @Override
    ConfigDef definition() {
        return QueryProcessorConfig.DEFINITION;
    }

    @Override
    Map<String, List<String>> envAliases() {
        return QueryProcessorConfig.ENV_ALIASES;
    }

    @Override
    AutoCloseable start(Path config) {
        return QueryProcessor.start(QueryProcessorConfig.load(config, System.getenv()));
    }
}
