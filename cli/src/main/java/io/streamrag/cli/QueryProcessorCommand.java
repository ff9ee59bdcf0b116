package io.streamrag.cli;

import io.streamrag.query.QueryProcessor;
import io.streamrag.query.QueryProcessorConfig;
import io.streamrag.streams.ConfigDescription;
import io.streamrag.streams.ProcessMain;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamrag query-processor}: one query processor instance against any Kafka, Redis and index. */
@Command(name = "query-processor", description = "Run one query processor against any Kafka cluster, Redis and "
        + "index, configured by a properties file and STREAMRAG_<KEY> environment variables.")
final class QueryProcessorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file (keys: --describe-config)")
    Path config;

    @Option(names = "--describe-config", description = "Print every configuration key with its default and exit")
    boolean describe;

    @Override
    public Integer call() {
        if (describe) {
            spec.commandLine().getOut().print(ConfigDescription.markdown(QueryProcessorConfig.DEFINITION,
                    QueryProcessorConfig.ENV_ALIASES));
            spec.commandLine().getOut().flush();
            return 0;
        }
        return ProcessMain.run("query processor",
                () -> QueryProcessor.start(QueryProcessorConfig.load(config, System.getenv())));
    }
}
