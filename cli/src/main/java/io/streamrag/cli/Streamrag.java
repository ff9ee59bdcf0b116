package io.streamrag.cli;

import io.streamrag.client.DocumentRejectedException;
import io.streamrag.client.StackUnreachableException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code streamrag} command line. */
@Command(name = "streamrag", mixinStandardHelpOptions = true, version = "streamrag 0.1.0",
        description = "Streaming RAG on Apache Flink and Apache Kafka.",
        subcommands = {DevCommand.class, SubmitCommand.class, DeleteCommand.class, AskCommand.class,
                DemoCommand.class, EvalCommand.class, QueryProcessorCommand.class, InvalidationCommand.class, GatewayCommand.class,
                DeployCommand.class, CommandLine.HelpCommand.class})
public final class Streamrag {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit code; failures print one line to stderr. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs one command line writing to the given streams; returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new Streamrag());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof StackUnreachableException || e instanceof IllegalArgumentException
                    || e instanceof CommandFailedException || e instanceof DocumentRejectedException) {
                cmd.getErr().println("streamrag: " + e.getMessage());
            } else {
                cmd.getErr().println("streamrag: " + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + " (the log has the details)");
                org.slf4j.LoggerFactory.getLogger(Streamrag.class).error("command failed", e);
            }
            return 1;
        });
        return commandLine.execute(args);
    }
}
