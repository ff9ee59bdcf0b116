package io.streamrag.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.query.QueryEngine;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle of {@link QueryStreams} without a broker: nothing listens on the loopback port it is given, so it
 * starts, never reaches RUNNING, and must still close cleanly. Answering through a real broker is an IT's job.
 */
class QueryStreamsTest {

    @TempDir
    Path stateDir;

    private final QueryEngine engine = query -> {
        throw new AssertionError("no request can arrive without a broker");
    };

    @Test
    void startsWaitsAndClosesWithoutABroker() throws InterruptedException {
        QueryStreamsSettings settings = QueryStreamsSettings.builder()
                .bootstrapServers("127.0.0.1:1")
                .applicationId("query-streams-test")
                .stateDir(stateDir)
                .numStreamThreads(1)
                .closeTimeout(Duration.ofSeconds(20))
                .build();

        QueryStreams app = QueryStreams.start(settings, engine);
        try {
            assertThat(app.state()).isIn(KafkaStreams.State.REBALANCING, KafkaStreams.State.RUNNING);
            assertThat(app.awaitRunning(Duration.ofMillis(200))).isFalse();
        } finally {
            app.close();
        }

        assertThat(app.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
        assertThatThrownBy(() -> app.awaitRunning(Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("NOT_RUNNING");
        app.close(); // idempotent
    }
}
