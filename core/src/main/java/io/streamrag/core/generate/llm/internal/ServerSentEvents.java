package io.streamrag.core.generate.llm.internal;

/**
 * Assembles server-sent events from lines (the WHATWG event-stream format that OpenAI-compatible servers stream):
 * {@code data:} lines accumulate, a blank line dispatches the event, lines starting with {@code :} are comments
 * (keep-alives), other fields ({@code event}, {@code id}, {@code retry}) are ignored. Lines arrive without their
 * terminator, so {@code \n}, {@code \r\n} and {@code \r} are all handled by the line splitter upstream.
 *
 * <p>Data not followed by a blank line when the stream ends is never dispatched, as the format requires: it is
 * the tail of a stream that was cut. Not thread-safe: one instance per response.
 */
public final class ServerSentEvents {
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private boolean firstLine = true;

    /** Feeds one line; returns the data of the event it completes, or null when it completes none. */
    public String line(String line) {
        if (firstLine) {
            firstLine = false;
            if (line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
        }
        if (line.isEmpty()) {
            if (!hasData) {
                return null;
            }
            String event = data.toString();
            data.setLength(0);
            hasData = false;
            return event;
        }
        if (line.charAt(0) == ':') {
            return null;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        if (!field.equals("data")) {
            return null;
        }
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (hasData) {
            data.append('\n');
        }
        data.append(value);
        hasData = true;
        return null;
    }
}
