package io.streamrag.client;

import io.streamrag.core.chunk.ChunkIds;
import io.streamrag.schemas.Citation;
import io.streamrag.schemas.QueryResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shape of an answer, the contract of {@code streamrag ask --json} and of the gateway's query endpoint:
 * {@code requestId}, {@code answer}, {@code citations} [{@code number}, {@code docId}, {@code chunkId},
 * {@code version} (the cited document version, read from the chunk id), {@code score}, {@code text}], {@code degradationMode}, {@code cache}, {@code timingsMs} {@code embed},
 * {@code retrieve}, {@code rerank}, {@code generate}, {@code total}, and {@code error} when there is one.
 * Stateless.
 */
public final class AnswerJson {
    /** The stage timings every answer reports, 0 when a stage did not run. */
    public static final List<String> TIMING_KEYS = List.of("embed", "retrieve", "rerank", "generate", "total");

    private AnswerJson() {
    }

    /** The answer as an ordered map, for any JSON writer. */
    public static Map<String, Object> of(QueryResponse response) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("requestId", response.getRequestId());
        root.put("answer", response.getAnswer());
        root.put("citations", citations(response.getCitations()));
        root.put("degradationMode", response.getDegradationMode());
        root.put("cache", response.getCacheHits());
        Map<String, Long> timings = new LinkedHashMap<>();
        for (String key : TIMING_KEYS) {
            timings.put(key, response.getTimingsMs().getOrDefault(key, 0L));
        }
        root.put("timingsMs", timings);
        if (response.getError() != null) {
            root.put("error", response.getError());
        }
        return root;
    }

    /** The citations of an answer, in order. */
    public static List<Map<String, Object>> citations(List<Citation> citations) {
        return citations.stream().map(c -> {
            Map<String, Object> citation = new LinkedHashMap<>();
            citation.put("number", c.getNumber());
            citation.put("docId", c.getDocId());
            citation.put("chunkId", c.getChunkId());
            ChunkIds.version(c.getChunkId()).ifPresent(version -> citation.put("version", version));
            citation.put("score", c.getScore());
            citation.put("text", c.getText());
            return citation;
        }).toList();
    }
}
