package io.streamrag.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes the configuration directory of a loopback {@link FlinkCluster}: {@code config.yaml} (Flink 2's file name;
 * flat {@code key: value} lines) and {@code log4j.properties} (a file appender on the {@code log.file} system
 * property, as in flink-dist).
 */
final class FlinkConfDir {

    /** The ports every process must agree on before any starts. */
    record Ports(int jobManagerRpc, int rest) {
    }

    private FlinkConfDir() {
    }

    static Path write(Path dir, Ports ports, int slotsPerTaskManager, Path uploadDir) throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(uploadDir);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("jobmanager.rpc.address", "localhost");
        config.put("jobmanager.rpc.port", Integer.toString(ports.jobManagerRpc()));
        config.put("jobmanager.bind-host", "localhost");
        config.put("taskmanager.host", "localhost");
        config.put("taskmanager.bind-host", "localhost");
        config.put("rest.address", "localhost");
        config.put("rest.bind-address", "localhost");
        config.put("rest.port", Integer.toString(ports.rest()));
        config.put("taskmanager.numberOfTaskSlots", Integer.toString(slotsPerTaskManager));
        config.put("parallelism.default", "1");
        config.put("web.upload.dir", uploadDir.toString());
        // a killed TaskManager is noticed within seconds, not the default 50 s
        config.put("heartbeat.interval", "2000");
        config.put("heartbeat.timeout", "10000");
        String yaml = config.entrySet().stream()
                .map(e -> e.getKey() + ": " + quote(e.getValue()))
                .collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(dir.resolve("config.yaml"), yaml);
        Files.writeString(dir.resolve("log4j.properties"), """
                rootLogger.level = INFO
                rootLogger.appenderRef.file.ref = MainAppender
                logger.kafka.name = org.apache.kafka
                logger.kafka.level = WARN
                appender.main.name = MainAppender
                appender.main.type = File
                appender.main.append = true
                appender.main.fileName = ${sys:log.file}
                appender.main.layout.type = PatternLayout
                appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
                """);
        return dir;
    }

    /** A YAML scalar in single quotes, so that paths and values with colons stay strings. */
    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
