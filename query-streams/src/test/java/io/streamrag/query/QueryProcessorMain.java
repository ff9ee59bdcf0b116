package io.streamrag.query;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * A query processor for {@link QueryExactlyOnceIT} to run in a child JVM and kill: {@link QueryTopology} with a
 * {@link ScriptedQueryEngine}, configured like the production processor ({@link QueryStreamsSettings}, so
 * exactly_once_v2) with the shortest session timeout the broker accepts, so that the group notices the kill in
 * 6 s rather than the default 10 s. Prints {@link #RUNNING_LINE} each time it reaches RUNNING; exits 1 if Kafka
 * Streams fails.
 *
 * <p>Arguments: bootstrap servers, application id, state directory, maximum question length, instance name.
 */
public final class QueryProcessorMain {

    static final String RUNNING_LINE = "QueryProcessorMain: RUNNING";
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6); // the broker's default group.min.session.timeout.ms
    static final long ENGINE_PAUSE_MS = 5;

    private QueryProcessorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 5) {
            System.err.println("usage: QueryProcessorMain <bootstrap> <applicationId> <stateDir> <maxQuestionChars>"
                    + " <instance>, got " + args.length + " arguments");
            System.exit(2);
        }
        QueryStreamsSettings settings = settings(args[0], args[1], Path.of(args[2]), Integer.parseInt(args[3]));
        Properties props = settings.toStreamsProperties();

        CountDownLatch stopped = new CountDownLatch(1);
        KafkaStreams streams = new KafkaStreams(
                QueryTopology.build(settings, new ScriptedQueryEngine(args[4], ENGINE_PAUSE_MS)), props);
        streams.setStateListener((newState, oldState) -> {
            if (newState == KafkaStreams.State.RUNNING) {
                System.out.println(RUNNING_LINE);
                System.out.flush();
            }
            if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.NOT_RUNNING) {
                stopped.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            // The test wants to see this, not a replaced thread: fail the whole process.
            e.printStackTrace();
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(10))));
        streams.start();
        stopped.await();
        System.exit(streams.state() == KafkaStreams.State.ERROR ? 1 : 0);
    }

    /** The settings both processors of the test use: the same application id, so the same consumer group. */
    static QueryStreamsSettings settings(String bootstrapServers, String applicationId, Path stateDir,
                                         int maxQuestionChars) {
        return QueryStreamsSettings.builder()
                .bootstrapServers(bootstrapServers)
                .applicationId(applicationId)
                .stateDir(stateDir)
                .numStreamThreads(2) // 4 threads for 8 partitions, and light on a small CI machine
                .maxQuestionChars(maxQuestionChars)
                .closeTimeout(Duration.ofSeconds(10))
                .sessionTimeout(SESSION_TIMEOUT)
                .build();
    }
}
