package io.streamrag.core.generate.llm.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * One attempt of a chat-completions call: POST, read the whole answer (streamed or not), sort any failure into a
 * retriable or fatal {@link CallFailure}. The request timeout bounds the whole attempt, streaming included:
 * the JDK's own {@link HttpRequest#timeout} only covers the wait for the response headers. Thread-safe; the
 * {@link HttpClient} belongs to the caller.
 */
public final class ChatExchange {
    /** Plain bodies (a non-streamed completion, an error page) larger than this are not a plausible answer. */
    private static final int MAX_BODY_CHARS = 4 << 20;

    private final HttpClient client;
    private final URI endpoint;
    private final String apiKey;
    private final Duration requestTimeout;
    private final ChatProtocol protocol;
    private final Clock clock;

    /** @param apiKey sent as a bearer token; null or blank sends no {@code Authorization} header */
    public ChatExchange(HttpClient client, URI endpoint, String apiKey, Duration requestTimeout,
                        ChatProtocol protocol, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Sends {@code body} and returns the complete answer text.
     *
     * @throws CallFailure on any failure; an interrupt is fatal (no retry) and leaves the interrupt flag set
     */
    public String send(byte[] body, boolean stream) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", stream ? "text/event-stream, application/json" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        CompletableFuture<HttpResponse<ResponseReader>> pending = client.sendAsync(request.build(), info -> {
            // Decide by what the server sent, not by what was asked: some servers ignore "stream".
            boolean eventStream = info.statusCode() / 100 == 2 && isEventStream(info.headers());
            ResponseReader reader = new ResponseReader(eventStream, MAX_BODY_CHARS, protocol);
            return HttpResponse.BodySubscribers.fromLineSubscriber(reader, r -> r, StandardCharsets.UTF_8, null);
        });
        HttpResponse<ResponseReader> response;
        try {
            response = pending.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw CallFailure.retriable("timed out: no complete answer within the request timeout of "
                    + requestTimeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw CallFailure.fatal("interrupted while waiting for the answer", e);
        } catch (ExecutionException e) {
            throw sortTransportFailure(e.getCause());
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return response.body().answer();
        }
        throw sortStatus(status, response.headers(), response.body().body());
    }

    private CallFailure sortStatus(int status, HttpHeaders headers, String body) {
        String served = "HTTP " + status + ": " + protocol.errorMessage(body);
        switch (status) {
            case 408, 429, 500, 502, 503, 504:
                return CallFailure.retriable(status, RetryAfter.parse(headers.firstValue("Retry-After"), clock)
                        .orElse(null), served);
            case 400:
                return CallFailure.fatal(status, served + " (check the model name, max tokens, and that the "
                        + "prompt fits the model's context window)");
            case 401, 403:
                return CallFailure.fatal(status, served + " (check the API key: STREAMRAG_LLM_API_KEY or "
                        + "OPENAI_API_KEY)");
            case 404:
                return CallFailure.fatal(status, served + " (check the base URL, which must be the API root such "
                        + "as http://localhost:8000/v1, and the model name)");
            default:
                if (status / 100 == 3) {
                    return CallFailure.fatal(status, "HTTP " + status + " redirect to "
                            + headers.firstValue("Location").orElse("?") + " (check the base URL)");
                }
                return CallFailure.fatal(status, served + " (unexpected status; check the base URL)");
        }
    }

    private static CallFailure sortTransportFailure(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof CallFailure call) {
            return call;
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return CallFailure.retriable("timed out connecting (is the server up and the base URL right?)", cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return CallFailure.retriable("timed out waiting for the response headers", cause);
        }
        if (cause instanceof ConnectException) {
            return CallFailure.retriable("cannot connect (is the server up and the base URL right?): "
                    + describe(cause), cause);
        }
        if (cause instanceof SSLException) {
            return CallFailure.fatal("TLS failed (check the URL scheme and the server's certificate): "
                    + describe(cause), cause);
        }
        if (cause instanceof IOException) {
            return CallFailure.retriable("I/O error (connection broken mid-answer?): " + describe(cause), cause);
        }
        return CallFailure.fatal("unexpected failure: " + describe(cause), cause);
    }

    private static boolean isEventStream(HttpHeaders headers) {
        return headers.firstValue("Content-Type")
                .map(type -> type.toLowerCase(Locale.ROOT).startsWith("text/event-stream"))
                .orElse(false);
    }

    private static String describe(Throwable t) {
        return Optional.ofNullable(t.getMessage()).map(m -> t.getClass().getSimpleName() + ": " + m)
                .orElse(t.getClass().getSimpleName());
    }
}
