package io.streamrag.ingest;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink for MiniCluster tests that collects what it receives in a static map keyed by a name unique to the
 * test (static state is acceptable in tests only: the sink is serialized into the job, the map stays here).
 * Call {@link #drain} after the job has finished.
 */
final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Queue<Object>> COLLECTED = new ConcurrentHashMap<>();

    private final String name;

    CollectingSink(String name) {
        this.name = name;
        COLLECTED.put(name, new ConcurrentLinkedQueue<>());
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Queue<Object> queue = COLLECTED.get(name);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                queue.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {
                // elements are recorded synchronously in write()
            }

            @Override
            public void close() {
                // nothing to release
            }
        };
    }

    /** Everything collected so far, in arrival order, while the job runs. */
    @SuppressWarnings("unchecked")
    List<T> peek() {
        Queue<Object> queue = COLLECTED.get(name);
        return queue == null ? List.of() : (List<T>) List.copyOf(queue);
    }

    /** Everything collected, in arrival order, and forgets it. */
    @SuppressWarnings("unchecked")
    List<T> drain() {
        Queue<Object> queue = COLLECTED.remove(name);
        return queue == null ? List.of() : (List<T>) List.copyOf(queue);
    }
}
