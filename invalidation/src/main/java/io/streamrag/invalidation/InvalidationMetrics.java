package io.streamrag.invalidation;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the invalidation processor did: invalidation lag (the IndexChange's commitTime to the moment its entries were
 * unreachable), counts of changes, control events, retries and undecodable records. Thread-safe: the lag goes into
 * an HdrHistogram {@link Recorder}, counters are {@link LongAdder}s.
 */
public final class InvalidationMetrics {
    private static final long MAX_TRACKED_LAG_MS = TimeUnit.HOURS.toMillis(1);

    private final Recorder lagMs = new Recorder(MAX_TRACKED_LAG_MS, 3);
    private final Histogram total = new Histogram(MAX_TRACKED_LAG_MS, 3);
    private final LongAdder indexChanges = new LongAdder();
    private final LongAdder controlEvents = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder undecodable = new LongAdder();

    /** Records the lag of one invalidated change; negative lags (clock skew) count as 0, huge ones are capped. */
    public void recordLag(long millis) {
        lagMs.recordValue(Math.max(0, Math.min(millis, MAX_TRACKED_LAG_MS)));
    }

    public void indexChange() {
        indexChanges.increment();
    }

    public void controlEvent() {
        controlEvents.increment();
    }

    public void retry() {
        retries.increment();
    }

    public void undecodable() {
        undecodable.increment();
    }

    /** Every lag recorded since creation, in milliseconds; a copy the caller owns. */
    public synchronized Histogram lag() {
        total.add(lagMs.getIntervalHistogram());
        return total.copy();
    }

    public long indexChanges() {
        return indexChanges.sum();
    }

    public long controlEvents() {
        return controlEvents.sum();
    }

    public long retries() {
        return retries.sum();
    }

    public long undecodableRecords() {
        return undecodable.sum();
    }

    @Override
    public String toString() {
        Histogram lag = lag();
        return "InvalidationMetrics{indexChanges=" + indexChanges() + ", controlEvents=" + controlEvents()
                + ", retries=" + retries() + ", undecodable=" + undecodableRecords() + ", lagMs p50="
                + lag.getValueAtPercentile(50) + " p99=" + lag.getValueAtPercentile(99) + " max=" + lag.getMaxValue()
                + "}";
    }
}
