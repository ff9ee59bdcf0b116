package io.streamrag.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.streamrag.client.DocumentRejectedException;
import io.streamrag.client.StackUnreachableException;
import io.streamrag.client.StreamragClient;
import io.streamrag.client.VersionClock;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEventJson;
import io.streamrag.schemas.DocumentEvents;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.SchemaDecodingException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * {@code POST /v1/collections/{collection}/documents} and {@code DELETE .../documents/{docId}}: document changes to
 * rag.documents. The body is the JSON shape of {@link DocumentEventJson} without {@code collection} (the path says
 * it) and with {@code version} optional (default: now in ms, increasing within this gateway; give your own when
 * several writers change one document). {@code ?wait=true} answers once the change is searchable (read-your-writes,
 * as {@code submit --wait}), 422 with the ingest job's reason if it dead-letters the document. Thread-safe.
 */
final class DocumentIntake {
    private final StreamragClient client;
    private final VersionClock clock = new VersionClock();
    private final Semaphore waiting;
    private final Duration waitTimeout;

    private final Gateway.Access access;

    DocumentIntake(StreamragClient client, GatewayConfig config, Gateway.Access access) {
        this.client = client;
        this.access = access;
        this.waiting = new Semaphore(config.getInt(GatewayConfig.MAX_IN_FLIGHT));
        this.waitTimeout = config.waitTimeout();
    }

    void upsert(Context ctx) {
        String collection = collection(ctx);
        JsonNode body = Gateway.body(ctx, JsonNode.class);
        if (!(body instanceof ObjectNode object)) {
            throw new ApiException(400, "expected a JSON object with docId and text");
        }
        if (object.has("collection") && !collection.equals(object.path("collection").asText())) {
            throw new ApiException(400, "the body names collection '" + object.path("collection").asText()
                    + "' but the path names '" + collection + "'");
        }
        object.put("collection", collection);
        if (!object.has("version") || object.get("version").isNull()) {
            object.put("version", clock.next());
        }
        DocumentEvent event;
        try {
            event = DocumentEventJson.decode(Gateway.JSON.writeValueAsBytes(object), Instant::now);
        } catch (SchemaDecodingException e) {
            throw new ApiException(400, e.getMessage());
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed JSON: " + e.getOriginalMessage());
        }
        if (event.getDocId().isBlank()) {
            throw new ApiException(400, "docId is missing or blank");
        }
        if (event.getOp() == DocumentOp.UPSERT && (event.getText() == null || event.getText().isBlank())) {
            throw new ApiException(400, "an upsert needs a non-blank text");
        }
        submit(ctx, event);
    }

    void delete(Context ctx) {
        String collection = collection(ctx);
        String docId = ctx.pathParam("docId");
        if (docId.isBlank()) {
            throw new ApiException(400, "docId is missing or blank");
        }
        submit(ctx, DocumentEvents.delete(collection, docId, clock.next()));
    }

    private String collection(Context ctx) {
        String collection = ctx.pathParam("collection");
        access.require(ctx, collection, true);
        return collection;
    }

    private void submit(Context ctx, DocumentEvent event) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("collection", event.getCollection());
        result.put("docId", event.getDocId());
        result.put("version", event.getVersion());
        result.put("op", event.getOp().name());
        if (!"true".equalsIgnoreCase(ctx.queryParam("wait"))) {
            send(() -> client.send(List.of(event)));
            ctx.status(202).json(result);
            return;
        }
        if (!waiting.tryAcquire()) {
            throw new ApiException(429, "too many writes waiting at this gateway (max.in.flight); retry later", 1);
        }
        try {
            long start = System.nanoTime();
            List<IndexChange> changes = send(() -> client.sendAndAwaitVisible(List.of(event), waitTimeout));
            result.put("searchableAfterMs", (System.nanoTime() - start) / 1_000_000);
            if (!changes.isEmpty()) {
                result.put("commitTime", changes.get(0).getCommitTime().toString());
            }
            ctx.status(200).json(result);
        } finally {
            waiting.release();
        }
    }

    private static <T> T send(Supplier<T> action) {
        try {
            return action.get();
        } catch (DocumentRejectedException e) {
            throw new ApiException(422, e.getMessage());
        } catch (StackUnreachableException e) {
            throw new ApiException(504, e.getMessage());
        }
    }

    private static void send(Runnable action) {
        send(() -> {
            action.run();
            return null;
        });
    }
}
