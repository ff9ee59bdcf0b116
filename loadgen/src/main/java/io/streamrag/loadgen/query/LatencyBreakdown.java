package io.streamrag.loadgen.query;

import io.streamrag.schemas.QueryResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Latencies of one benchmark phase in microseconds: end to end (intended send time to receipt, so a stalled sender
 * cannot hide queueing), each stage the processor reports in {@code timingsMs}, and derived columns:
 *
 * <ul>
 *   <li>{@value #EVERYTHING_ELSE}: end to end minus model inference and the LLM (embed, rerank, generate), the
 *       figure the "everything except inference and the LLM" target is about. Retrieval (Lucene) counts here.</li>
 *   <li>{@value #ENGINE_OTHER}: the engine's total minus all its stages (caches, fusion, prompt, bookkeeping).</li>
 *   <li>{@value #AFTER_ENGINE}: end to end minus queue and the engine's total: the sender's own lag, producing the
 *       response, the exactly-once commit and the client's read_committed fetch.</li>
 * </ul>
 *
 * Not thread-safe: one receiver records.
 */
final class LatencyBreakdown {
    /** What the query processor reports: the wait before processing, then the engine's stages and total. */
    static final List<String> STAGES = List.of("queue", "embed", "retrieve", "rerank", "generate", "total");
    static final String END_TO_END = "end-to-end";
    static final String EVERYTHING_ELSE = "all but inference + LLM";
    static final String ENGINE_OTHER = "engine other";
    static final String AFTER_ENGINE = "after engine";
    /** Model inference and the LLM: what {@link #EVERYTHING_ELSE} leaves out. */
    private static final List<String> INFERENCE = List.of("embed", "rerank", "generate");
    private static final List<String> ENGINE_STAGES = List.of("embed", "retrieve", "rerank", "generate");
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final Map<String, Histogram> histograms = new LinkedHashMap<>();
    private final Map<String, Integer> modes = new LinkedHashMap<>();
    private long errors;

    LatencyBreakdown() {
        for (String column : columns()) {
            histograms.put(column, new Histogram(HIGHEST_MICROS, 3));
        }
    }

    /** Every column, in report order. */
    static List<String> columns() {
        List<String> columns = new ArrayList<>(List.of(END_TO_END));
        columns.addAll(STAGES);
        columns.addAll(List.of(EVERYTHING_ELSE, ENGINE_OTHER, AFTER_ENGINE));
        return List.copyOf(columns);
    }

    /** Records one response received {@code endToEndNanos} after its intended send time. */
    void record(QueryResponse response, long endToEndNanos) {
        long endToEnd = Math.max(0, TimeUnit.NANOSECONDS.toMicros(endToEndNanos));
        Map<String, Long> timings = response.getTimingsMs();
        record(END_TO_END, endToEnd);
        for (String stage : STAGES) {
            record(stage, micros(timings, stage));
        }
        record(EVERYTHING_ELSE, endToEnd - sum(timings, INFERENCE));
        record(ENGINE_OTHER, micros(timings, "total") - sum(timings, ENGINE_STAGES));
        record(AFTER_ENGINE, endToEnd - micros(timings, "queue") - micros(timings, "total"));
        modes.merge(response.getDegradationMode(), 1, Integer::sum);
        if (response.getError() != null) {
            errors++;
        }
    }

    private void record(String column, long micros) {
        histograms.get(column).recordValue(Math.min(Math.max(0, micros), HIGHEST_MICROS));
    }

    private static long micros(Map<String, Long> timings, String stage) {
        return TimeUnit.MILLISECONDS.toMicros(Math.max(0, timings.getOrDefault(stage, 0L)));
    }

    private static long sum(Map<String, Long> timings, List<String> stages) {
        long micros = 0;
        for (String stage : stages) {
            micros += micros(timings, stage);
        }
        return micros;
    }

    long count() {
        return histograms.get(END_TO_END).getTotalCount();
    }

    /** The {@code percentile} of {@code name} (one of {@link #columns()}) in ms. */
    double millis(String name, double percentile) {
        Histogram histogram = histograms.get(name);
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Responses per degradation mode. */
    Map<String, Integer> modes() {
        return Map.copyOf(modes);
    }

    long errors() {
        return errors;
    }
}
