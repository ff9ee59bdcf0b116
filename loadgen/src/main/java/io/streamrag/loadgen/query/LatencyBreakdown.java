package io.streamrag.loadgen.query;

import io.streamrag.schemas.QueryResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Latencies of one benchmark phase in microseconds: end to end (intended send time to receipt, so a stalled sender
 * cannot hide queueing), each stage the engine reports in {@code timingsMs}, and "everything else": end to end minus
 * embed, retrieve, rerank and generate (Kafka, queueing, commits, decoding, caches). Not thread-safe: one receiver
 * records.
 */
final class LatencyBreakdown {
    static final List<String> STAGES = List.of("embed", "retrieve", "rerank", "generate", "total");
    static final String END_TO_END = "end-to-end";
    static final String EVERYTHING_ELSE = "everything else";
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final Map<String, Histogram> histograms = new LinkedHashMap<>();
    private final Map<String, Integer> modes = new LinkedHashMap<>();
    private long errors;

    LatencyBreakdown() {
        histograms.put(END_TO_END, new Histogram(HIGHEST_MICROS, 3));
        for (String stage : STAGES) {
            histograms.put(stage, new Histogram(HIGHEST_MICROS, 3));
        }
        histograms.put(EVERYTHING_ELSE, new Histogram(HIGHEST_MICROS, 3));
    }

    /** Records one response received {@code endToEndNanos} after its intended send time. */
    void record(QueryResponse response, long endToEndNanos) {
        long endToEndMicros = Math.max(0, TimeUnit.NANOSECONDS.toMicros(endToEndNanos));
        histograms.get(END_TO_END).recordValue(Math.min(endToEndMicros, HIGHEST_MICROS));
        long modelAndLlmMicros = 0;
        for (String stage : STAGES) {
            long micros = TimeUnit.MILLISECONDS.toMicros(response.getTimingsMs().getOrDefault(stage, 0L));
            histograms.get(stage).recordValue(Math.min(Math.max(0, micros), HIGHEST_MICROS));
            if (!"total".equals(stage)) {
                modelAndLlmMicros += micros;
            }
        }
        long rest = Math.max(0, endToEndMicros - modelAndLlmMicros);
        histograms.get(EVERYTHING_ELSE).recordValue(Math.min(rest, HIGHEST_MICROS));
        modes.merge(response.getDegradationMode(), 1, Integer::sum);
        if (response.getError() != null) {
            errors++;
        }
    }

    long count() {
        return histograms.get(END_TO_END).getTotalCount();
    }

    /** The {@code percentile} of {@code name} (a stage, {@link #END_TO_END} or {@link #EVERYTHING_ELSE}) in ms. */
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
