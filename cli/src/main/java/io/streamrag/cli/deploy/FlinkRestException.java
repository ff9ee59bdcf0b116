package io.streamrag.cli.deploy;

/**
 * A Flink REST call failed. {@link #retriable()} sorts it: the cluster could not be reached or answered 5xx/503
 * while busy (retry later, check that the JobManager runs at the given URL), or it refused the request (4xx: a bad
 * jar, job id, savepoint path or argument; retrying the same request cannot help). The message is one line for the
 * user, with Flink's own first error line.
 */
public final class FlinkRestException extends RuntimeException {
    private final int status;

    FlinkRestException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    FlinkRestException(String message, int status) {
        this(message, status, null);
    }

    /** The HTTP status, or 0 when no answer came (connection refused, timeout). */
    public int status() {
        return status;
    }

    /** Whether the same request may succeed later: no answer, or a server-side (5xx) failure. */
    public boolean retriable() {
        return status == 0 || status >= 500;
    }
}
