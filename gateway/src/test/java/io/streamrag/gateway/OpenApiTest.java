package io.streamrag.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** /openapi.json lists exactly the routes the gateway registers. */
class OpenApiTest {

    @Test
    void theDocumentListsEveryRouteAndNoOther() throws IOException {
        JsonNode paths = Gateway.JSON.readTree(Gateway.openApi()).get("paths");
        Set<String> documented = new HashSet<>();
        paths.fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));

        Set<String> registered = new HashSet<>();
        Gateway.ROUTES.forEach(r -> registered.add(r.method().name() + " " + r.path()));

        assertThat(documented).isEqualTo(registered);
    }
}
