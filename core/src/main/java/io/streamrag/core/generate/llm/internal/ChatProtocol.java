package io.streamrag.core.generate.llm.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * The JSON of OpenAI's chat-completions protocol, reduced to what every compatible server (vLLM, Ollama,
 * llama.cpp's server, OpenAI) accepts and returns: requests with {@code model}, {@code messages},
 * {@code stream}, {@code temperature} and {@code max_tokens}; answers from {@code choices[0].message.content},
 * or from {@code choices[0].delta.content} of each streamed chunk. Unknown fields are ignored. Thread-safe.
 */
public final class ChatProtocol {
    /** Longest server error message quoted in an exception: enough to read, short enough for a log line. */
    private static final int MAX_QUOTED_CHARS = 300;

    private final ObjectMapper json = new ObjectMapper();

    /** A request for one answer to a system and a user message. */
    public record Request(String model, String system, String user, boolean stream, double temperature,
                          int maxTokens) {
        public Request {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(system, "system");
            Objects.requireNonNull(user, "user");
        }
    }

    /**
     * One streamed chunk.
     *
     * @param content  the text it adds, possibly empty
     * @param finished whether it carries a {@code finish_reason}, i.e. the answer is complete
     * @param error    the error the server reported inside the stream, or null
     */
    public record Chunk(String content, boolean finished, String error) {
    }

    public byte[] encode(Request request) {
        ObjectNode body = json.createObjectNode();
        body.put("model", request.model());
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", request.system());
        messages.addObject().put("role", "user").put("content", request.user());
        body.put("stream", request.stream());
        body.put("temperature", request.temperature());
        body.put("max_tokens", request.maxTokens());
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            // A tree of strings and numbers always serialises; reaching here is a bug, not an input problem.
            throw new IllegalStateException("cannot serialise a chat-completions request", e);
        }
    }

    /** The answer of a non-streamed response body; a fatal {@link CallFailure} when it is not one. */
    public String completionContent(String body) {
        JsonNode root = parse(body, "response");
        JsonNode content = root.path("choices").path(0).path("message").path("content");
        if (!content.isTextual()) {
            if (root.has("error")) {
                throw CallFailure.fatal("the server answered 200 with an error: " + errorMessage(body), null);
            }
            throw CallFailure.fatal("the response has no choices[0].message.content (is the base URL an "
                    + "OpenAI-compatible /v1 API?): " + quote(body), null);
        }
        return content.asText();
    }

    /** One streamed event's data (other than {@code [DONE]}); a fatal {@link CallFailure} when it is not JSON. */
    public Chunk chunk(String data) {
        JsonNode root = parse(data, "stream chunk");
        if (root.has("error")) {
            return new Chunk("", false, errorMessage(data));
        }
        // Chunks without choices exist (usage reports); they add nothing.
        JsonNode choice = root.path("choices").path(0);
        JsonNode content = choice.path("delta").path("content");
        JsonNode finish = choice.path("finish_reason");
        return new Chunk(content.isTextual() ? content.asText() : "", finish.isTextual(), null);
    }

    /**
     * The human-readable message of an error body: OpenAI's {@code error.message}, a string {@code error} (Ollama,
     * llama.cpp), FastAPI's {@code detail} or {@code message}; otherwise the start of the body.
     */
    public String errorMessage(String body) {
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        try {
            JsonNode root = json.readTree(body);
            for (JsonNode candidate : new JsonNode[] {root.path("error").path("message"), root.path("error"),
                    root.path("detail"), root.path("message")}) {
                if (candidate.isTextual() && !candidate.asText().isBlank()) {
                    return quote(candidate.asText());
                }
            }
        } catch (JsonProcessingException notJson) {
            // Proxies answer with HTML or plain text; quoting the start of it is the most useful message.
            return quote(body);
        }
        return quote(body);
    }

    private JsonNode parse(String text, String what) {
        try {
            JsonNode root = json.readTree(text);
            if (root == null || !root.isObject()) {
                throw CallFailure.fatal("the " + what + " is not a JSON object (is the base URL an "
                        + "OpenAI-compatible /v1 API?): " + quote(text), null);
            }
            return root;
        } catch (JsonProcessingException e) {
            throw CallFailure.fatal("the " + what + " is not valid JSON (is the base URL an OpenAI-compatible "
                    + "/v1 API?): " + quote(text), e);
        }
    }

    private static String quote(String text) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_QUOTED_CHARS ? oneLine : oneLine.substring(0, MAX_QUOTED_CHARS) + "…";
    }
}
