package io.streamrag.cli.eval;

import java.util.Locale;

/**
 * Progress of a long ingestion: documents indexed of a total, rate since the start and the estimated time left.
 * Not thread-safe.
 */
public final class IngestProgress {
    private final int total;
    private final long startNanos;

    /** Starts the clock now. */
    public IngestProgress(int total) {
        if (total <= 0) {
            throw new IllegalArgumentException("total must be > 0, got " + total);
        }
        this.total = total;
        this.startNanos = System.nanoTime();
    }

    /** One line such as {@code indexed 1000/5183 documents (8.3 docs/s, 2m00s elapsed, ETA 8m24s)}. */
    public String line(int indexed) {
        return line(indexed, total, System.nanoTime() - startNanos);
    }

    static String line(int indexed, int total, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? indexed / seconds : 0;
        String eta = rate > 0 && indexed < total ? duration((total - indexed) / rate) : indexed >= total ? "done" : "?";
        return String.format(Locale.ROOT, "indexed %d/%d documents (%.1f docs/s, %s elapsed, ETA %s)", indexed, total,
                rate, duration(seconds), eta);
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
