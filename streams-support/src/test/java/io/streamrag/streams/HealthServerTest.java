package io.streamrag.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {

    @Test
    void readyFollowsTheCheckAndHealthStaysUpWhileLive() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        AtomicBoolean live = new AtomicBoolean(true);
        HealthServer.Check check = new HealthServer.Check() {
            @Override
            public boolean live() {
                return live.get();
            }

            @Override
            public boolean ready() {
                return ready.get();
            }

            @Override
            public String state() {
                return ready.get() ? "RUNNING" : "REBALANCING";
            }
        };
        try (HealthServer server = HealthServer.start("127.0.0.1", 0, check)) {
            HttpResponse<String> starting = get(server, "/ready");
            assertThat(starting.statusCode()).isEqualTo(503);
            assertThat(starting.body()).contains("\"DOWN\"").contains("REBALANCING");
            assertThat(get(server, "/health").statusCode()).isEqualTo(200);

            ready.set(true);
            HttpResponse<String> running = get(server, "/ready");
            assertThat(running.statusCode()).isEqualTo(200);
            assertThat(running.body()).contains("\"UP\"").contains("RUNNING");

            live.set(false);
            assertThat(get(server, "/health").statusCode()).isEqualTo(503);
            assertThat(get(server, "/nothing").statusCode()).isEqualTo(404);
        }
    }

    private static HttpResponse<String> get(HealthServer server, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
