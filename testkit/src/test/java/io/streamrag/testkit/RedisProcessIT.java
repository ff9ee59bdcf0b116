package io.streamrag.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisProcessIT {
    @TempDir
    Path tmp;

    @Test
    void withAppendOnlyTheDataSurviveASigkillAndTheServerComesBackOnItsPort() throws Exception {
        try (RedisProcess redis = RedisProcess.builder(tmp).appendOnly(true).build()) {
            redis.start();
            long firstPid = redis.process().pid();
            assertThat(command(redis.port(), "SET epoch 7")).isEqualTo("+OK");
            Thread.sleep(1500); // appendfsync everysec: the write reaches the disk within a second

            redis.kill();
            assertThat(redis.isAlive()).isFalse();
            assertThatThrownBy(() -> command(redis.port(), "PING")).isInstanceOf(IOException.class);

            redis.start();
            assertThat(redis.process().pid()).isNotEqualTo(firstPid);
            assertThat(command(redis.port(), "GET epoch")).isEqualTo("$1");
        }
    }

    @Test
    void withoutAppendOnlyARestartedServerIsEmpty() throws Exception {
        try (RedisProcess redis = RedisProcess.builder(tmp).build()) {
            redis.start();
            assertThat(command(redis.port(), "SET epoch 7")).isEqualTo("+OK");

            redis.kill();
            redis.start();

            assertThat(command(redis.port(), "GET epoch")).isEqualTo("$-1");
        }
    }

    @Test
    void startingTwiceIsRefused() throws Exception {
        try (RedisProcess redis = RedisProcess.builder(tmp).build()) {
            redis.start();
            assertThatThrownBy(redis::start).hasMessageContaining("runs already");
        }
        assertThatThrownBy(() -> RedisProcess.builder(tmp).maxMemory("lots"))
                .hasMessageContaining("maxMemory").hasMessageContaining("lots");
    }

    /** Sends an inline command and returns the first line of the reply. */
    private static String command(int port, String command) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }
}
