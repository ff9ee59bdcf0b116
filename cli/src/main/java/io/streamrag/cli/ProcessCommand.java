package io.streamrag.cli;

import io.streamrag.streams.ConfigDescription;
import io.streamrag.streams.ProcessMain;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A command that runs one streamrag process until SIGTERM ({@link ProcessMain}), configured by a properties file and
 * {@code STREAMRAG_<KEY>} variables, and that lists its keys with {@code --describe-config}.
 */
abstract class ProcessCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file (keys: --describe-config)")
    Path config;

    @Option(names = "--describe-config", description = "Print every configuration key with its default and exit")
    boolean describe;

    /** What runs, for messages ("query processor"). */
    abstract String processName();

    /** The configuration keys. */
    abstract ConfigDef definition();

    /** Environment variables accepted besides {@code STREAMRAG_<KEY>}. */
    abstract Map<String, List<String>> envAliases();

    /** Starts the process from {@code config} (may be null) and this process's environment. */
    abstract AutoCloseable start(Path config);

    @Override
    public Integer call() {
        if (describe) {
            spec.commandLine().getOut().print(ConfigDescription.markdown(definition(), envAliases()));
            spec.commandLine().getOut().flush();
            return 0;
        }
        return ProcessMain.run(processName(), () -> start(config));
    }
}
