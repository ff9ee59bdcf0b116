package io.streamrag.core.generate.llm.internal;

import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * Reads one response body line by line: either as a server-sent event stream whose chunks are assembled into
 * the answer, or as plain text (a JSON completion, an error body) kept up to a size limit. Used with
 * {@link java.net.http.HttpResponse.BodySubscribers#fromLineSubscriber}.
 *
 * <p>A stream is complete only when it sent {@code [DONE]} or a chunk with a {@code finish_reason}; anything else
 * is a cut stream, and its partial answer is never returned. Problems found while reading are recorded and
 * reported by {@link #answer()}, not thrown from {@code onNext} (the reactive-streams contract forbids that), and
 * the rest of the body is drained so that the exchange completes. Called by one HTTP client thread at a time, then
 * read by the caller after the response future completes (which orders the writes before the reads).
 */
public final class ResponseReader implements Flow.Subscriber<String> {
    private final boolean eventStream;
    private final int maxChars;
    private final ChatProtocol protocol;
    private final ServerSentEvents events = new ServerSentEvents();
    private final StringBuilder text = new StringBuilder();
    private boolean truncated;
    private boolean done;
    private boolean finished;
    private CallFailure failure;

    /**
     * @param eventStream whether the body is {@code text/event-stream}
     * @param maxChars    the most characters of a plain body to keep
     */
    public ResponseReader(boolean eventStream, int maxChars, ChatProtocol protocol) {
        this.eventStream = eventStream;
        this.maxChars = maxChars;
        this.protocol = Objects.requireNonNull(protocol, "protocol");
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
        if (eventStream) {
            String data = events.line(line);
            if (data != null) {
                onEvent(data);
            }
        } else if (text.length() + line.length() + 1 <= maxChars) {
            // JSON needs no line breaks (strings cannot hold raw ones), so "\n" is as good as the original.
            text.append(line).append('\n');
        } else {
            truncated = true;
        }
    }

    private void onEvent(String data) {
        if (failure != null || done) {
            return;
        }
        if (data.strip().equals("[DONE]")) {
            done = true;
            return;
        }
        try {
            ChatProtocol.Chunk chunk = protocol.chunk(data);
            if (chunk.error() != null) {
                // vLLM and OpenAI report failures that happen after the 200 inside the stream.
                failure = CallFailure.retriable("the server reported an error inside the stream: " + chunk.error(),
                        null);
                return;
            }
            text.append(chunk.content());
            finished |= chunk.finished();
        } catch (CallFailure malformed) {
            failure = malformed;
        }
    }

    @Override
    public void onError(Throwable throwable) {
        // The response future fails with the same throwable; the caller sorts it.
    }

    @Override
    public void onComplete() {
        // The body is complete; the caller reads the result once the response future completes.
    }

    /**
     * The answer text: the assembled stream, or {@code choices[0].message.content} of a plain body.
     *
     * @throws CallFailure when the stream was cut, reported an error or was malformed, or the body was not a
     *                     completion
     */
    public String answer() {
        if (!eventStream) {
            if (truncated) {
                throw CallFailure.fatal("the response is larger than " + maxChars + " characters", null);
            }
            return protocol.completionContent(text.toString());
        }
        if (failure != null) {
            throw failure;
        }
        if (!done && !finished) {
            throw CallFailure.retriable("the stream ended before [DONE] (connection closed mid-answer)", null);
        }
        return text.toString();
    }

    /** The plain body read so far (for error messages); empty for event streams. */
    public String body() {
        return eventStream ? "" : text.toString();
    }
}
