package io.streamrag.cli;

import picocli.CommandLine.Option;

/** The {@code --bootstrap} option every command shares. */
final class BootstrapOption {
    static final String DEFAULT = "localhost:9092";

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", defaultValue = DEFAULT,
            description = "Kafka bootstrap address of the stack (default: ${DEFAULT-VALUE}, the dev stack's)")
    String bootstrap;
}
