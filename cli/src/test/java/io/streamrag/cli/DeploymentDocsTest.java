package io.streamrag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.gateway.GatewayConfig;
import io.streamrag.invalidation.InvalidationProcessorConfig;
import io.streamrag.query.QueryProcessorConfig;
import io.streamrag.streams.CommonOptions;
import io.streamrag.streams.ConfigDescription;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/deployment.md lists the processors' keys exactly as {@code --describe-config} prints them. */
class DeploymentDocsTest {
    private static final Path DOC = Path.of("..", "docs", "deployment.md");

    @Test
    void theKeyTablesAreTheOnesTheProcessorsDeclare() throws IOException {
        String doc = Files.readString(DOC);

        assertThat(doc).as("the query processor's keys in %s (regenerate with streamrag query-processor "
                        + "--describe-config)", DOC)
                .contains(ConfigDescription.markdown(QueryProcessorConfig.DEFINITION, QueryProcessorConfig.ENV_ALIASES));
        assertThat(doc).as("the invalidation processor's keys in %s (streamrag invalidation --describe-config)", DOC)
                .contains(ConfigDescription.markdown(InvalidationProcessorConfig.DEFINITION,
                        CommonOptions.ENV_ALIASES));
        assertThat(doc).as("the gateway's keys in %s (streamrag gateway --describe-config)", DOC)
                .contains(ConfigDescription.markdown(GatewayConfig.DEFINITION, GatewayConfig.ENV_ALIASES));
    }
}
