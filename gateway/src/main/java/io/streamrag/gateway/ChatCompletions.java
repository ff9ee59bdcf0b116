package io.streamrag.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.streamrag.client.AnswerJson;
import io.streamrag.schemas.Citation;
import io.streamrag.schemas.QueryResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/chat/completions}, OpenAI-compatible: {@code model} names the collection and the last user
 * message is the question, so any OpenAI client library can use streamrag as a RAG model. The message text ends
 * with the numbered sources; the same citations come as structured data in the extra field {@code citations} (and
 * the whole answer object in {@code streamrag}). {@code "stream": true} sends chat.completion.chunk events and
 * {@code [DONE]}: the answer in one content chunk, the sources in a second, then a chunk with
 * {@code finish_reason} and the citations.
 */
final class ChatCompletions {
    private ChatCompletions() {
    }

    static void handle(Context ctx, QueryService queries, Gateway.Access access) throws IOException {
        JsonNode body = Gateway.body(ctx, JsonNode.class);
        if (!body.isObject()) {
            throw new ApiException(400, "expected a JSON object with model and messages");
        }
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual()) {
            throw new ApiException(400, "model is missing: name the collection to ask");
        }
        access.require(ctx, model.textValue(), false);
        String question = lastUserMessage(body.get("messages"));
        boolean stream = body.path("stream").asBoolean(false);
        QueryResponse response = queries.answer(new QueryService.Question(model.textValue(), question, null,
                Map.of()));
        String id = "chatcmpl-" + response.getRequestId();
        long created = Instant.now().getEpochSecond();
        List<Map<String, Object>> citations = AnswerJson.citations(response.getCitations());
        if (!stream) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", "assistant");
            message.put("content", response.getAnswer() + sources(response.getCitations()));
            message.put("refusal", null);
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            choice.put("message", message);
            choice.put("logprobs", null);
            choice.put("finish_reason", "stop");
            Map<String, Object> completion = envelope(id, "chat.completion", created, model.textValue());
            completion.put("choices", List.of(choice));
            completion.put("usage", Map.of("prompt_tokens", 0, "completion_tokens", 0, "total_tokens", 0));
            completion.put("citations", citations);
            completion.put("streamrag", AnswerJson.of(response));
            ctx.json(completion);
            return;
        }
        try (QueryEndpoint.ServerSentEvents events = QueryEndpoint.ServerSentEvents.open(ctx)) {
            events.send(null, chunk(id, created, model.textValue(),
                    Map.of("role", "assistant", "content", response.getAnswer()), null, null));
            String sources = sources(response.getCitations());
            if (!sources.isEmpty()) {
                events.send(null, chunk(id, created, model.textValue(), Map.of("content", sources), null, null));
            }
            events.send(null, chunk(id, created, model.textValue(), Map.of(), "stop", citations));
            events.sendRaw(null, "[DONE]");
        }
    }

    private static String lastUserMessage(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new ApiException(400, "messages is missing or empty: send at least one user message");
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText())) {
                JsonNode content = m.get("content");
                if (content != null && content.isTextual()) {
                    return content.textValue();
                }
                if (content != null && content.isArray()) {
                    StringBuilder text = new StringBuilder();
                    content.forEach(part -> {
                        if ("text".equals(part.path("type").asText())) {
                            text.append(text.isEmpty() ? "" : "\n").append(part.path("text").asText());
                        }
                    });
                    return text.toString();
                }
                throw new ApiException(400, "the last user message has no text content");
            }
        }
        throw new ApiException(400, "no message with role user: the last user message is the question");
    }

    /** The numbered sources appended to the message text; empty without citations. */
    static String sources(List<Citation> citations) {
        if (citations.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder("\n\nSources:");
        for (Citation c : citations) {
            text.append("\n[").append(c.getNumber()).append("] ").append(c.getDocId()).append(" (")
                    .append(c.getChunkId()).append(')');
        }
        return text.toString();
    }

    private static Map<String, Object> envelope(String id, String object, long created, String model) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        return root;
    }

    private static Map<String, Object> chunk(String id, long created, String model, Map<String, Object> delta,
                                             String finishReason, List<Map<String, Object>> citations) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("delta", delta);
        choice.put("logprobs", null);
        choice.put("finish_reason", finishReason);
        Map<String, Object> chunk = envelope(id, "chat.completion.chunk", created, model);
        chunk.put("choices", List.of(choice));
        if (citations != null) {
            chunk.put("citations", citations);
        }
        return chunk;
    }
}
