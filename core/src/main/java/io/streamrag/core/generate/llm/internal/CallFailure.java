package io.streamrag.core.generate.llm.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One failed attempt to call the chat-completions endpoint, sorted into retriable (the same request may succeed
 * later: 429, 5xx, timeouts, broken connections) and fatal (it will not: bad request, bad key, wrong URL or model,
 * a response that is not OpenAI's protocol). The message says what happened and, for fatal failures, what to
 * check; it never contains the API key.
 */
public final class CallFailure extends RuntimeException {
    /** No HTTP status: the failure happened before or after the status line (connect, timeout, broken stream). */
    private static final int NO_STATUS = -1;

    private final boolean retriable;
    private final int status;
    private final Duration retryAfter;

    private CallFailure(boolean retriable, int status, Duration retryAfter, String message, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** A failure worth retrying; {@code retryAfter} is the server's requested wait, or null. */
    public static CallFailure retriable(int status, Duration retryAfter, String message) {
        return new CallFailure(true, status, retryAfter, message, null);
    }

    /** A failure worth retrying that has no HTTP status (connect error, timeout, broken stream). */
    public static CallFailure retriable(String message, Throwable cause) {
        return new CallFailure(true, NO_STATUS, null, message, cause);
    }

    /** A failure that a retry would repeat. */
    public static CallFailure fatal(int status, String message) {
        return new CallFailure(false, status, null, message, null);
    }

    /** A failure that a retry would repeat and that has no HTTP status. */
    public static CallFailure fatal(String message, Throwable cause) {
        return new CallFailure(false, NO_STATUS, null, message, cause);
    }

    public boolean isRetriable() {
        return retriable;
    }

    /** The HTTP status of the failed response, if one was received. */
    public OptionalInt status() {
        return status == NO_STATUS ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /** How long the server asked the client to wait (the {@code Retry-After} header), if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
