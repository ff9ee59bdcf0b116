package io.streamrag.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --wait} and {@code --timeout}, shared by the commands that change documents. */
final class WaitOptions {
    @Option(names = "--wait", description = "Return when every change is visible to searches")
    boolean enabled;

    @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS",
            description = "How long --wait waits (default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }
}
