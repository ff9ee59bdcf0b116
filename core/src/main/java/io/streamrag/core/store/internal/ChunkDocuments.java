package io.streamrag.core.store.internal;

import io.streamrag.core.chunk.Chunk;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * The Lucene schema of a stored chunk: one Lucene document per chunk. Internal: not part of the public API.
 *
 * <ul>
 *   <li>{@value #CHUNK_ID}, {@value #COLLECTION}, {@value #DOC_ID}: exact-match keyword fields, stored;</li>
 *   <li>{@value #VERSION}, {@value #ORDINAL}, {@value #TITLE}, {@value #TEXT}: stored only;</li>
 *   <li>{@value #CONTENT}: title and text analysed together for BM25, not stored (the parts are);</li>
 *   <li>{@value #VECTOR}: the unit-length embedding, HNSW-indexed with dot-product similarity;</li>
 *   <li>{@value #META_PREFIX}{@code <key>}: one exact-match stored field per metadata entry.</li>
 * </ul>
 */
public final class ChunkDocuments {
    public static final String CHUNK_ID = "chunkId";
    public static final String COLLECTION = "collection";
    public static final String DOC_ID = "docId";
    public static final String VERSION = "version";
    public static final String ORDINAL = "ordinal";
    public static final String TITLE = "title";
    public static final String TEXT = "text";
    public static final String CONTENT = "content";
    public static final String VECTOR = "vector";
    public static final String META_PREFIX = "meta.";
    /**
     * Dot product on vectors the store normalises itself: the same ranking as cosine, without recomputing
     * norms on every comparison.
     */
    public static final VectorSimilarityFunction SIMILARITY = VectorSimilarityFunction.DOT_PRODUCT;

    private ChunkDocuments() {
    }

    /** The Lucene document for {@code chunk}; {@code unitVector} must already be L2-normalised. */
    public static Document toDocument(Chunk chunk, float[] unitVector) {
        Document doc = new Document();
        doc.add(new StringField(CHUNK_ID, chunk.chunkId(), Field.Store.YES));
        doc.add(new StringField(COLLECTION, chunk.collection(), Field.Store.YES));
        doc.add(new StringField(DOC_ID, chunk.docId(), Field.Store.YES));
        doc.add(new StoredField(VERSION, chunk.version()));
        doc.add(new StoredField(ORDINAL, chunk.ordinal()));
        doc.add(new StoredField(TITLE, chunk.title()));
        doc.add(new StoredField(TEXT, chunk.text()));
        String content = chunk.title().isBlank() ? chunk.text() : chunk.title() + "\n" + chunk.text();
        doc.add(new TextField(CONTENT, content, Field.Store.NO));
        doc.add(new KnnFloatVectorField(VECTOR, unitVector, SIMILARITY));
        // Sorted so that the stored field order, and therefore the index bytes, do not depend on map order.
        for (Map.Entry<String, String> e : new TreeMap<>(chunk.metadata()).entrySet()) {
            doc.add(new StringField(META_PREFIX + e.getKey(), e.getValue(), Field.Store.YES));
        }
        return doc;
    }

    /** Rebuilds the chunk from a document's stored fields. */
    public static Chunk toChunk(Document doc) {
        Map<String, String> metadata = new TreeMap<>();
        for (IndexableField field : doc.getFields()) {
            if (field.name().startsWith(META_PREFIX)) {
                metadata.put(field.name().substring(META_PREFIX.length()), field.stringValue());
            }
        }
        return new Chunk(doc.get(CHUNK_ID), doc.get(COLLECTION), doc.get(DOC_ID),
                doc.getField(VERSION).numericValue().longValue(), doc.getField(ORDINAL).numericValue().intValue(),
                doc.get(TITLE), doc.get(TEXT), metadata);
    }
}
