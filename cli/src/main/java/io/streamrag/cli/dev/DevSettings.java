package io.streamrag.cli.dev;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how the embedded stack runs.
 *
 * @param dataDir        everything the stack keeps: Kafka logs, Lucene shards, Flink checkpoints, Streams state
 * @param kafkaPort      the Kafka client port on localhost; 0 picks a free one
 * @param controllerPort the KRaft controller port on localhost; 0 picks a free one
 * @param gatewayPort    the HTTP gateway's port on localhost; 0 picks a free one
 */
public record DevSettings(Path dataDir, int kafkaPort, int controllerPort, int gatewayPort) {
    /** Settings with the gateway on a free port. */
    public DevSettings(Path dataDir, int kafkaPort, int controllerPort) {
        this(dataDir, kafkaPort, controllerPort, 0);
    }

    public DevSettings {
        Objects.requireNonNull(dataDir, "dataDir");
        if (kafkaPort < 0 || kafkaPort > 65535) {
            throw new IllegalArgumentException("kafkaPort must be in 0..65535, got " + kafkaPort);
        }
        if (controllerPort < 0 || controllerPort > 65535) {
            throw new IllegalArgumentException("controllerPort must be in 0..65535, got " + controllerPort);
        }
        if (gatewayPort < 0 || gatewayPort > 65535) {
            throw new IllegalArgumentException("gatewayPort must be in 0..65535, got " + gatewayPort);
        }
    }
}
