package io.streamrag.cli;

/** A command could not do what was asked; the message is the one line the user sees. */
final class CommandFailedException extends RuntimeException {
    CommandFailedException(String message) {
        super(message);
    }
}
