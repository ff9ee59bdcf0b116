package io.streamrag.core.embed;

/** Counts model tokens in a text, without special tokens. Implementations must be thread-safe. */
@FunctionalInterface
public interface TokenCounter {
    int count(String text);
}
