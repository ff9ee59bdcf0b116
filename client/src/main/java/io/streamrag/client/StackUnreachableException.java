package io.streamrag.client;

/** The stack did not answer: the message says what to check. */
public final class StackUnreachableException extends RuntimeException {
    public StackUnreachableException(String message) {
        super(message);
    }
}
