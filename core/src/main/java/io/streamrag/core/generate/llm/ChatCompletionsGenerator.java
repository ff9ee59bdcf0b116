package io.streamrag.core.generate.llm;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.ExtractiveGenerator;
import io.streamrag.core.generate.GenerationException;
import io.streamrag.core.generate.Generator;
import io.streamrag.core.generate.llm.internal.BackoffPolicy;
import io.streamrag.core.generate.llm.internal.CallFailure;
import io.streamrag.core.generate.llm.internal.ChatExchange;
import io.streamrag.core.generate.llm.internal.ChatProtocol;
import io.streamrag.core.store.ScoredChunk;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Generator} backed by an OpenAI-compatible chat-completions endpoint
 * ({@code POST {baseUrl}/chat/completions}): vLLM, Ollama, llama.cpp's server, OpenAI and anything else that speaks
 * the protocol.
 *
 * <p>Each call sends the {@link PromptBuilder} prompt (system + user message, context numbered in canonical order)
 * and reads the whole answer, streamed as server-sent events by default, before returning it: a stream that breaks
 * mid-way is a failed attempt, never a half answer. The answer's {@code [n]} markers become its citations. An
 * empty context is answered with {@link ExtractiveGenerator#NO_ANSWER} without calling the model.
 *
 * <p>Failures are sorted. Retriable: HTTP 408, 429, 500, 502, 503 and 504, connect errors, timeouts and streams
 * that break or report an error; they are retried up to {@code maxAttempts} in all, waiting what the server's
 * {@code Retry-After} asks (capped at {@code maxRetryAfter}) or else exponential backoff with jitter. Fatal: 400,
 * 401, 403, 404, other statuses, and responses that are not the protocol (malformed JSON); they fail at once.
 * Either way the caller gets a {@link GenerationException} naming the endpoint, the last status or error, and
 * what to check. An interrupt stops the call at once with a {@code GenerationException} and the interrupt flag
 * set.
 *
 * <p>Thread-safe; share one instance. It owns its HTTP client threads: the creator must {@link #close()} it.
 */
public final class ChatCompletionsGenerator implements Generator, AutoCloseable {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(8);
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_TOKENS = 512;

    private static final Logger LOG = LoggerFactory.getLogger(ChatCompletionsGenerator.class);
    private static final String CHAT_COMPLETIONS = "/chat/completions";

    private final URI endpoint;
    private final String model;
    private final boolean stream;
    private final double temperature;
    private final int maxTokens;
    private final PromptBuilder prompts;
    private final ChatProtocol protocol = new ChatProtocol();
    private final ExecutorService httpThreads;
    private final ChatExchange exchange;
    private final Retry retry;
    private volatile boolean closed;

    private ChatCompletionsGenerator(Builder b) {
        this.endpoint = chatCompletionsEndpoint(b.baseUrl);
        this.model = b.model;
        this.stream = b.stream;
        this.temperature = b.temperature;
        this.maxTokens = b.maxTokens;
        this.prompts = b.prompts;
        AtomicInteger threadNumber = new AtomicInteger();
        this.httpThreads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "streamrag-llm-http-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        HttpClient client = HttpClient.newBuilder()
                // HTTP/1.1: every compatible server speaks it, while the h2c upgrade the JDK tries on plain http
                // confuses some of them.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                // A redirected POST is a misconfigured base URL; say so instead of following it.
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(httpThreads)
                .build();
        this.exchange = new ChatExchange(client, endpoint, b.apiKey, b.requestTimeout, protocol, Clock.systemUTC());
        this.retry = Retry.of("llm " + endpoint, RetryConfig.<String>custom()
                .maxAttempts(b.maxAttempts)
                .intervalBiFunction(new BackoffPolicy(b.initialBackoff, b.maxBackoff, b.maxRetryAfter))
                .retryOnException(t -> t instanceof CallFailure failure && failure.isRetriable())
                .build());
        retry.getEventPublisher().onRetry(event -> LOG.warn("LLM call to {} failed (attempt {} of {}): {}; "
                        + "retrying in {} ms", endpoint, event.getNumberOfRetryAttempts(), b.maxAttempts,
                event.getLastThrowable().getMessage(), event.getWaitInterval().toMillis()));
    }

    /** A builder with no base URL or model set. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The base URLs of a list of replicas serving the same model: comma-separated, each trimmed, blanks dropped, in the given
     * order. Empty for null or blank.
     *
     * @throws IllegalArgumentException naming the entry, if one is not a valid base URL or two name the same
     *                                  endpoint (e.g. {@code http://h:8000} and {@code http://h:8000/v1/})
     */
    public static List<String> parseBaseUrls(String value) {
        if (value == null) {
            return List.of();
        }
        Map<URI, String> byEndpoint = new LinkedHashMap<>();
        for (String entry : value.split(",")) {
            String baseUrl = entry.strip();
            if (baseUrl.isEmpty()) {
                continue;
            }
            String earlier = byEndpoint.putIfAbsent(chatCompletionsEndpoint(baseUrl), baseUrl);
            if (earlier != null) {
                throw new IllegalArgumentException("the LLM base URLs list the same endpoint twice: " + earlier
                        + " and " + baseUrl + " (each replica once)");
            }
        }
        return List.copyOf(byEndpoint.values());
    }

    @Override
    public Answer generate(String question, List<ScoredChunk> context) {
        Objects.requireNonNull(question, "question");
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        PromptBuilder.Prompt prompt = prompts.build(question, context);
        if (prompt.chunks().isEmpty()) {
            // Nothing to answer from: the model could only guess, which the prompt forbids anyway.
            return new Answer(ExtractiveGenerator.NO_ANSWER, List.of());
        }
        byte[] body = protocol.encode(new ChatProtocol.Request(model, prompt.system(), prompt.user(), stream,
                temperature, maxTokens));
        AtomicInteger attempts = new AtomicInteger();
        String text;
        try {
            text = retry.executeSupplier(() -> {
                attempts.incrementAndGet();
                return exchange.send(body, stream);
            });
        } catch (CallFailure failure) {
            throw new GenerationException(describe(failure, attempts.get()), failure);
        }
        String answer = withoutReasoning(text).strip();
        if (answer.isEmpty()) {
            throw new GenerationException(request() + " returned an empty answer (check max tokens: a reasoning "
                    + "model may have spent them all thinking)");
        }
        return prompt.answer(answer);
    }

    /** The chat-completions URL this generator posts to. */
    public URI endpoint() {
        return endpoint;
    }

    public String model() {
        return model;
    }

    /** Stops the HTTP client threads; calls in flight fail, later calls throw {@link IllegalStateException}. */
    @Override
    public void close() {
        closed = true;
        httpThreads.shutdownNow();
    }

    @Override
    public String toString() {
        // Never the API key.
        return "ChatCompletionsGenerator[" + endpoint + ", model=" + model + "]";
    }

    private String request() {
        return "LLM request POST " + endpoint + " (model " + model + ")";
    }

    private String describe(CallFailure failure, int attempts) {
        String what = attempts <= 1 ? " failed: " : " failed after " + attempts + " attempts; last: ";
        String interrupted = Thread.currentThread().isInterrupted() ? " (interrupted)" : "";
        return request() + what + failure.getMessage() + interrupted;
    }

    /**
     * The answer without a leading {@code <think>} block, which reasoning models (DeepSeek-R1, Qwen3) put in the
     * content on servers that do not separate it; its {@code [n]} markers are not citations of the answer.
     */
    static String withoutReasoning(String text) {
        String trimmed = text.stripLeading();
        if (!trimmed.startsWith("<think>")) {
            return text;
        }
        int end = trimmed.indexOf("</think>");
        return end < 0 ? "" : trimmed.substring(end + "</think>".length());
    }

    /**
     * The chat-completions URL for a base URL: the API root as OpenAI's clients take it ({@code .../v1}); a URL
     * without a path gets {@code /v1}, trailing slashes and a pasted {@code /chat/completions} are dropped.
     */
    static URI chatCompletionsEndpoint(String baseUrl) {
        URI uri;
        try {
            uri = new URI(baseUrl.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("baseUrl is not a URL: " + baseUrl, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((!scheme.equals("http") && !scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("baseUrl must be an http(s) URL such as http://localhost:8000/v1, got "
                    + baseUrl);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("baseUrl must not have a query or fragment, got " + baseUrl);
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        path = path.replaceAll("/+$", "");
        if (path.endsWith(CHAT_COMPLETIONS)) {
            path = path.substring(0, path.length() - CHAT_COMPLETIONS.length());
        }
        if (path.isEmpty()) {
            path = "/v1";
        }
        return URI.create(scheme + "://" + uri.getRawAuthority() + path + CHAT_COMPLETIONS);
    }

    /** Options of a {@link ChatCompletionsGenerator}; each setter validates its value. Not thread-safe. */
    public static final class Builder {
        private String baseUrl;
        private String model;
        private String apiKey;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;
        private boolean stream = true;
        private double temperature = 0.0;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private PromptBuilder prompts = new PromptBuilder();

        private Builder() {
        }

        /**
         * The API root, e.g. {@code http://localhost:8000/v1} (vLLM), {@code http://localhost:11434/v1} (Ollama),
         * {@code https://api.openai.com/v1}. Required. {@code http://host:port} alone means {@code .../v1}.
         */
        public Builder baseUrl(String baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl");
            chatCompletionsEndpoint(baseUrl);
            this.baseUrl = baseUrl;
            return this;
        }

        /** The model name as the server knows it. Required. */
        public Builder model(String model) {
            Objects.requireNonNull(model, "model");
            if (model.isBlank()) {
                throw new IllegalArgumentException("model must not be blank");
            }
            this.model = model.strip();
            return this;
        }

        /** Sent as {@code Authorization: Bearer <key>}; null or blank sends none (local servers need none). */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** How long to wait for a TCP (and TLS) connection; default {@link #DEFAULT_CONNECT_TIMEOUT}. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * How long one attempt may take from sending the request to the end of the answer, streaming included;
         * default {@link #DEFAULT_REQUEST_TIMEOUT}. Retries get a fresh timeout each.
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = positive(requestTimeout, "requestTimeout");
            return this;
        }

        /** Attempts in all, the first included; 1 disables retries. Default {@value #DEFAULT_MAX_ATTEMPTS}. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Exponential backoff between attempts when the server gives no {@code Retry-After}: about
         * {@code initial}, then doubling up to about {@code max}, each ±50% at random. Defaults
         * {@link #DEFAULT_INITIAL_BACKOFF} and {@link #DEFAULT_MAX_BACKOFF}.
         */
        public Builder backoff(Duration initial, Duration max) {
            positive(initial, "initialBackoff");
            positive(max, "maxBackoff");
            if (initial.toMillis() < 1) {
                throw new IllegalArgumentException("initialBackoff must be >= 1 ms, got " + initial);
            }
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("maxBackoff must be >= initialBackoff " + initial + ", got " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** The longest {@code Retry-After} honoured; longer requests wait this long. Default 30 s. */
        public Builder maxRetryAfter(Duration maxRetryAfter) {
            Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
            if (maxRetryAfter.isNegative()) {
                throw new IllegalArgumentException("maxRetryAfter must be >= 0, got " + maxRetryAfter);
            }
            this.maxRetryAfter = maxRetryAfter;
            return this;
        }

        /** Whether to ask for a server-sent event stream (default true) or one JSON response. */
        public Builder stream(boolean stream) {
            this.stream = stream;
            return this;
        }

        /** Sampling temperature in [0, 2]; default 0, so that the same prompt gives the same answer. */
        public Builder temperature(double temperature) {
            if (!(temperature >= 0.0 && temperature <= 2.0)) {
                throw new IllegalArgumentException("temperature must be in [0, 2], got " + temperature);
            }
            this.temperature = temperature;
            return this;
        }

        /** The most tokens the answer may have ({@code max_tokens}); default {@value #DEFAULT_MAX_TOKENS}. */
        public Builder maxTokens(int maxTokens) {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /** The prompt; default {@code new PromptBuilder()}. */
        public Builder promptBuilder(PromptBuilder prompts) {
            this.prompts = Objects.requireNonNull(prompts, "prompts");
            return this;
        }

        /** @throws IllegalStateException when the base URL or model is missing */
        public ChatCompletionsGenerator build() {
            if (baseUrl == null) {
                throw new IllegalStateException("baseUrl is not set (e.g. http://localhost:11434/v1 for Ollama)");
            }
            if (model == null) {
                throw new IllegalStateException("model is not set");
            }
            return new ChatCompletionsGenerator(this);
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, got " + value);
            }
            return value;
        }
    }
}
