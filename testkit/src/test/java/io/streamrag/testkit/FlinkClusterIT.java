package io.streamrag.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone cluster from {@link FlinkClasspath}: a JobManager and two TaskManagers as child JVMs register,
 * a killed TaskManager leaves the cluster and a restarted one joins again, and {@code close} leaves no process.
 */
class FlinkClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    void twoTaskManagersRegisterAKilledOneLeavesAndARestartedOneComesBack() throws Exception {
        FlinkCluster cluster = FlinkCluster.builder().workDir(tmp.resolve("flink")).taskManagers(2)
                .slotsPerTaskManager(2).build();
        try {
            JsonNode overview = get(cluster, "/overview");
            assertThat(overview.get("taskmanagers").asInt()).isEqualTo(2);
            assertThat(overview.get("slots-total").asInt()).isEqualTo(4);
            assertThat(overview.get("flink-version").asText()).isEqualTo("2.2.1");
            assertThat(Files.readString(cluster.logDir().resolve("jobmanager.log"))).contains("Rest endpoint listening");

            cluster.killTaskManager(1);
            assertThat(cluster.isTaskManagerAlive(1)).isFalse();
            awaitTaskManagers(cluster, 1);

            cluster.restartTaskManager(1);
            assertThat(get(cluster, "/taskmanagers").get("taskmanagers").size()).isEqualTo(2);
        } finally {
            cluster.close();
        }
        assertThat(cluster.isTaskManagerAlive(0)).isFalse();
        assertThat(cluster.isTaskManagerAlive(1)).isFalse();
    }

    private void awaitTaskManagers(FlinkCluster cluster, int expected) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        int registered = -1;
        while (Instant.now().isBefore(deadline)) {
            registered = get(cluster, "/taskmanagers").get("taskmanagers").size();
            if (registered == expected) {
                return;
            }
            Thread.sleep(500);
        }
        assertThat(registered).as("TaskManagers registered after a kill").isEqualTo(expected);
    }

    private JsonNode get(FlinkCluster cluster, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(cluster.restUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
