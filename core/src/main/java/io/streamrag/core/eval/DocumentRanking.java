package io.streamrag.core.eval;

import io.streamrag.core.store.ScoredChunk;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Turns a chunk ranking into a document ranking: a document ranks where its best (first) chunk ranks. Judgements
 * are per document, so this is how chunk-level retrieval is scored.
 */
public final class DocumentRanking {
    private DocumentRanking() {
    }

    /** Distinct document ids in the order of their first chunk in {@code chunks} (best first). */
    public static List<String> of(List<ScoredChunk> chunks) {
        Objects.requireNonNull(chunks, "chunks");
        Set<String> docIds = new LinkedHashSet<>();
        for (ScoredChunk hit : chunks) {
            docIds.add(hit.chunk().docId());
        }
        return new ArrayList<>(docIds);
    }
}
