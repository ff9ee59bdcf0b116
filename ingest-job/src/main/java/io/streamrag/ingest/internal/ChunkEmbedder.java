package io.streamrag.ingest.internal;

import io.streamrag.core.Document;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.Chunker;
import io.streamrag.core.chunk.TokenChunker;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingException;
import io.streamrag.schemas.DocumentOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Cuts each upsert into token-aware chunks and embeds them, one batch call per document; deletes pass through
 * without chunks.
 *
 * <p>Each parallel instance owns one embedder, opened in {@link #open} from the given factory (the model loads
 * there, once per task) and closed in {@link #close}; the chunker counts tokens with the embedder's own
 * tokenizer. An embedding failure fails the task (Flink restarts it from the last checkpoint): a model that
 * does not work is not a property of one document, so skipping would silently drop documents.
 */
public final class ChunkEmbedder extends ProcessFunction<DocumentChange, IndexedDocument> {
    private static final long serialVersionUID = 1L;

    private final SerializableSupplier<Embedder> embedderFactory;
    private final int maxTokens;
    private final int overlapTokens;

    private transient Embedder embedder;
    private transient Chunker chunker;

    /**
     * @param embedderFactory opens the embedder; called once per parallel instance, in {@link #open}
     * @param maxTokens       chunk size in model tokens
     * @param overlapTokens   tokens shared by neighbouring chunks
     */
    public ChunkEmbedder(SerializableSupplier<Embedder> embedderFactory, int maxTokens, int overlapTokens) {
        this.embedderFactory = Objects.requireNonNull(embedderFactory, "embedderFactory");
        this.maxTokens = maxTokens;
        this.overlapTokens = overlapTokens;
    }

    @Override
    public void open(OpenContext openContext) {
        embedder = embedderFactory.get();
        chunker = TokenChunker.builder()
                .tokenCounter(embedder.tokenCounter())
                .maxTokens(maxTokens)
                .overlapTokens(overlapTokens)
                .build();
    }

    @Override
    public void processElement(DocumentChange change, Context ctx, Collector<IndexedDocument> out) {
        List<EmbeddedChunk> embedded = new ArrayList<>();
        if (change.op() == DocumentOp.UPSERT) {
            List<Chunk> chunks = chunker.chunk(new Document(change.collection(), change.docId(), change.version(),
                    change.title(), change.text(), change.metadata()));
            List<String> texts = new ArrayList<>(chunks.size());
            for (Chunk chunk : chunks) {
                texts.add(chunk.embeddingText());
            }
            List<float[]> vectors;
            try {
                vectors = embedder.embedPassages(texts);
            } catch (EmbeddingException e) {
                throw new EmbeddingException("embedding " + chunks.size() + " chunks of " + change.documentKey()
                        + " v" + change.version() + " (from " + change.position() + ") with " + embedder.modelId()
                        + " failed: " + e.getMessage(), e);
            }
            for (int i = 0; i < chunks.size(); i++) {
                embedded.add(EmbeddedChunk.of(chunks.get(i), vectors.get(i)));
            }
        }
        out.collect(new IndexedDocument(change.collection(), change.docId(), change.version(), change.op(), embedded,
                change.eventTime(), change.position()));
    }

    @Override
    public void close() {
        if (embedder != null) {
            embedder.close();
            embedder = null;
        }
    }
}
