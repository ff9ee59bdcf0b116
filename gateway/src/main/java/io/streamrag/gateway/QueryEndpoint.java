package io.streamrag.gateway;

import io.javalin.http.Context;
import io.streamrag.client.AnswerJson;
import io.streamrag.schemas.QueryResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/collections/{collection}/query}: {@code {"question", "topK", "filters"}} in, the
 * {@code ask --json} object out ({@link AnswerJson}); with {@code Accept: text/event-stream}, Server-Sent Events.
 *
 * <p>Events: {@code answer} (the answer text; the engine sends whole answers over rag.responses, so an extractive
 * or LLM answer is one event), {@code citations} (the cited chunks), then {@code done} (requestId, degradation
 * mode, cache layers, timings). Token streaming would need the query processor to publish the LLM's stream as
 * partial responses (a chunk topic or partial records keyed by requestId) that this endpoint forwards as they come.
 */
final class QueryEndpoint {
    /** The request body. */
    record Body(String question, Integer topK, Map<String, String> filters) {
    }

    private QueryEndpoint() {
    }

    static void query(Context ctx, QueryService queries, Gateway.Access access) throws IOException {
        access.require(ctx, ctx.pathParam("collection"), false);
        Body body = Gateway.body(ctx, Body.class);
        QueryResponse response = queries.answer(new QueryService.Question(ctx.pathParam("collection"),
                body.question(), body.topK(), body.filters()));
        if (wantsEvents(ctx)) {
            Map<String, Object> answer = AnswerJson.of(response);
            Map<String, Object> done = new LinkedHashMap<>(answer);
            done.remove("answer");
            done.remove("citations");
            try (ServerSentEvents events = ServerSentEvents.open(ctx)) {
                events.send("answer", Map.of("text", response.getAnswer()));
                events.send("citations", answer.get("citations"));
                events.send("done", done);
            }
        } else {
            ctx.json(AnswerJson.of(response));
        }
    }

    static boolean wantsEvents(Context ctx) {
        String accept = ctx.header("Accept");
        return accept != null && accept.contains("text/event-stream");
    }

    /** A Server-Sent Events stream on the response; each event is flushed at once. Not thread-safe. */
    static final class ServerSentEvents implements AutoCloseable {
        private final OutputStream out;

        private ServerSentEvents(OutputStream out) {
            this.out = out;
        }

        static ServerSentEvents open(Context ctx) throws IOException {
            ctx.status(200);
            ctx.res().setContentType("text/event-stream; charset=utf-8");
            ctx.res().setHeader("Cache-Control", "no-cache");
            ctx.res().setHeader("X-Accel-Buffering", "no");
            return new ServerSentEvents(ctx.res().getOutputStream());
        }

        /** An event with a JSON data line; {@code name} null for an unnamed event. */
        void send(String name, Object data) throws IOException {
            sendRaw(name, Gateway.JSON.writeValueAsString(data));
        }

        void sendRaw(String name, String data) throws IOException {
            StringBuilder event = new StringBuilder();
            if (name != null) {
                event.append("event: ").append(name).append('\n');
            }
            event.append("data: ").append(data).append("\n\n");
            out.write(event.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
