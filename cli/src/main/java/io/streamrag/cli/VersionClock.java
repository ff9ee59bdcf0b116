package io.streamrag.cli;

/**
 * Hands out document versions: the wall clock in milliseconds, strictly increasing within this process, so
 * that a later submission of the same document always wins. Thread-safe.
 */
final class VersionClock {
    private long last;

    synchronized long next() {
        last = Math.max(System.currentTimeMillis(), last + 1);
        return last;
    }
}
