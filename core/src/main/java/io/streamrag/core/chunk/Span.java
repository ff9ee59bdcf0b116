package io.streamrag.core.chunk;

/**
 * A half-open character range {@code [start, end)} of a text..
 *
 * @param start first char, inclusive
 * @param end   last char, exclusive
 */
public record Span(int start, int end) {
    public Span {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
        }
    }

    /** The span of {@code [start, end)} without leading and trailing whitespace; null when it is all blank. */
    public static Span trimmed(CharSequence text, int start, int end) {
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return start == end ? null : new Span(start, end);
    }

    public String of(String text) {
        return text.substring(start, end);
    }
}
