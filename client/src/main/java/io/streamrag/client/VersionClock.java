package io.streamrag.client;

/**
 * Hands out document versions: the wall clock in milliseconds, strictly increasing within this process, so
 * that a later submission of the same document always wins. Thread-safe.
 */
public final class VersionClock {
    private long last;

    /** The next version: now in ms, or one more than the last when the clock has not moved on. */
    public synchronized long next() {
        last = Math.max(System.currentTimeMillis(), last + 1);
        return last;
    }
}
