package io.streamrag.gateway;

/**
 * A request the gateway refuses or could not complete, with the HTTP status and a one-line reason for the
 * client; {@code retryAfterSeconds} &gt; 0 adds a Retry-After header.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final int retryAfterSeconds;

    ApiException(int status, String reason) {
        this(status, reason, 0);
    }

    ApiException(int status, String reason, int retryAfterSeconds) {
        super(reason);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    int status() {
        return status;
    }

    int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
