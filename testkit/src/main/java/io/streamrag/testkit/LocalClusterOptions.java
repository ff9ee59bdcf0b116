package io.streamrag.testkit;

import io.streamrag.schemas.Topics;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The command line of {@link LocalClusterMain}, each option declared once with its default and its check:
 * {@code up|down|status|restart NAME [--dir DIR] [--kafka-port P] [--redis-port P] [--query-partitions N]
 * [--flink-port P] [--task-managers N] [--query-processors N] [--app-port P] [--apps-classpath CP]}.
 *
 * @param command         up, down, status or restart
 * @param processName     for restart: the recorded process to start again (kafka-2, redis, ...); empty otherwise
 * @param dir             where state, data and logs live (default {@code .streamrag/local-cluster})
 * @param kafkaPort       the first broker's client port; brokers use P, P+1, P+2 and controllers P+100.. (19092);
 *                        0 picks free ports
 * @param redisPort       redis-server's port (16379); 0 picks a free one
 * @param queryPartitions partitions of rag.queries and rag.responses (the stack default)
 * @param flinkPort       the Flink JobManager's REST port (18081); 0 picks a free one
 * @param taskManagers    Flink TaskManagers (2), of 2 slots each
 * @param queryProcessors query processor instances (2)
 * @param appPort         /health of the invalidation processor; query processor i uses P+1+i (18090); 0 picks free
 *                        ports
 * @param appsClasspath   the classpath of the {@code streamrag} command (the script passes the CLI's); empty: start
 *                        the infrastructure only, no query or invalidation processor
 */
record LocalClusterOptions(String command, String processName, Path dir, int kafkaPort, int redisPort,
                           int queryPartitions, int flinkPort, int taskManagers, int queryProcessors, int appPort,
                           String appsClasspath) {
    static final String USAGE = "usage: local-cluster up|down|status|restart NAME [--dir DIR] [--kafka-port P]"
            + " [--redis-port P] [--query-partitions N] [--flink-port P] [--task-managers N] [--query-processors N]"
            + " [--app-port P] [--apps-classpath CP]";
    static final List<String> COMMANDS = List.of("up", "down", "status", "restart");

    /** Parses {@code args}; throws IllegalArgumentException with the usage and the bad argument. */
    static LocalClusterOptions parse(String... args) {
        if (args.length == 0 || !COMMANDS.contains(args[0])) {
            throw new IllegalArgumentException("expected one of " + COMMANDS + " first, got "
                    + (args.length == 0 ? "nothing" : "'" + args[0] + "'") + "\n" + USAGE);
        }
        Path dir = Path.of(".streamrag", "local-cluster");
        int kafkaPort = 19092;
        int redisPort = 16379;
        int queryPartitions = Topics.DEFAULT_QUERY_PARTITIONS;
        int flinkPort = 18081;
        int taskManagers = 2;
        int queryProcessors = 2;
        int appPort = 18090;
        String appsClasspath = "";
        String processName = "";
        int first = 1;
        if (args[0].equals("restart")) {
            if (args.length < 2 || args[1].startsWith("--")) {
                throw new IllegalArgumentException("restart needs the name of a process (kafka-2, redis, ...)\n" + USAGE);
            }
            processName = args[1];
            first = 2;
        }
        List<String> rest = Arrays.asList(args).subList(first, args.length);
        for (int i = 0; i < rest.size(); i += 2) {
            String option = rest.get(i);
            if (i + 1 >= rest.size()) {
                throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
            }
            String value = rest.get(i + 1);
            switch (option) {
                case "--dir" -> dir = Path.of(value);
                case "--kafka-port" -> kafkaPort = port(option, value, 65535 - 102);
                case "--redis-port" -> redisPort = port(option, value, 65535);
                case "--query-partitions" -> queryPartitions = positive(option, value);
                case "--flink-port" -> flinkPort = port(option, value, 65535);
                case "--task-managers" -> taskManagers = positive(option, value);
                case "--query-processors" -> queryProcessors = positive(option, value);
                case "--app-port" -> appPort = port(option, value, 65535 - 64);
                case "--apps-classpath" -> appsClasspath = value;
                default -> throw new IllegalArgumentException("unknown option '" + option + "'\n" + USAGE);
            }
        }
        return new LocalClusterOptions(args[0], processName, dir.toAbsolutePath().normalize(), kafkaPort, redisPort,
                queryPartitions, flinkPort, taskManagers, queryProcessors, appPort, appsClasspath);
    }

    private static int port(String option, String value, int max) {
        int port = number(option, value);
        if (port < 0 || port > max) {
            throw new IllegalArgumentException(option + " must be 0 (pick free ports) or in 1.." + max + ", got " + value);
        }
        return port;
    }

    private static int positive(String option, String value) {
        int number = number(option, value);
        if (number <= 0) {
            throw new IllegalArgumentException(option + " must be > 0, got " + value);
        }
        return number;
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, got '" + value + "'", e);
        }
    }
}
