package io.streamrag.loadgen.ingest;

import java.util.ArrayList;
import java.util.List;

/** The JVM options a Flink MiniCluster needs on Java 17: the same list as the parent pom's jvm.opens and bin/streamrag. */
final class FlinkJvmOptions {
    static final List<String> OPENS;

    static {
        List<String> opens = new ArrayList<>(List.of("--add-exports=java.base/sun.net.util=ALL-UNNAMED"));
        for (String pkg : List.of("java.lang", "java.lang.reflect", "java.io", "java.net", "java.nio", "sun.nio.ch",
                "java.text", "java.time", "java.util", "java.util.concurrent", "java.util.concurrent.atomic",
                "java.util.concurrent.locks")) {
            opens.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
        }
        OPENS = List.copyOf(opens);
    }

    private FlinkJvmOptions() {
    }
}
