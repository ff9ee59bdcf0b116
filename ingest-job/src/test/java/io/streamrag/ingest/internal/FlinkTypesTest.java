package io.streamrag.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.ingest.RawDocument;
import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeType;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.junit.jupiter.api.Test;

/** The records that flow between operators are analysed by Flink (no Kryo fallback) and round-trip. */
class FlinkTypesTest {

    @Test
    void rawDocumentIsAFlinkTypeAndRoundTrips() throws Exception {
        RawDocument raw = new RawDocument("rag.documents", 3, 42, "k".getBytes(), new byte[] {1, 2, 3});
        assertRoundTrips(RawDocument.class, raw);
        assertRoundTrips(RawDocument.class, new RawDocument("t", 0, 0, null, null));
    }

    @Test
    void documentChangeIsAFlinkTypeAndRoundTrips() throws Exception {
        assertRoundTrips(DocumentChange.class, new DocumentChange("docs", "a/b", 7, DocumentOp.UPSERT, "t", "text",
                Map.of("lang", "en"), Instant.ofEpochMilli(123),
                new RawDocument("rag.documents", 0, 1, "docs/a/b".getBytes(), new byte[] {1, 2})));
    }

    @Test
    void rejectedDocumentIsAFlinkTypeAndRoundTrips() throws Exception {
        assertRoundTrips(RejectedDocument.class, new RejectedDocument(
                new RawDocument("rag.documents", 1, 9, null, new byte[] {7}), RejectedDocument.EMBED, "boom", 3));
    }

    @Test
    void deadLetterIsAnAvroTypeAndRoundTrips() throws Exception {
        DeadLetter letter = DeadLetterMapper.toDeadLetter(new RejectedDocument(
                new RawDocument("rag.documents", 1, 9, "k".getBytes(), new byte[] {7}), "decode", "bad"),
                Instant.ofEpochMilli(5));
        // an Avro type is serialized whole by Flink's AvroSerializer, so its bytes fields do not mean Kryo
        TypeInformation<DeadLetter> info = TypeInformation.of(DeadLetter.class);
        assertThat(info).isInstanceOf(AvroTypeInfo.class);
        TypeSerializer<DeadLetter> serializer = info.createSerializer(new SerializerConfigImpl());
        assertThat(serializer).isInstanceOf(AvroSerializer.class);
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(letter, out);
        assertThat(serializer.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length())))
                .isEqualTo(letter);
    }

    @Test
    void indexedDocumentIsAFlinkTypeAndRoundTrips() throws Exception {
        EmbeddedChunk chunk = new EmbeddedChunk("docs/a#0@7", 0, "t", "text", Map.of("k", "v"),
                new float[] {0.6f, 0.8f});
        assertRoundTrips(IndexedDocument.class, new IndexedDocument("docs", "a", 7, DocumentOp.UPSERT,
                List.of(chunk), Instant.ofEpochMilli(123), "rag.documents-0@1"));
    }

    @Test
    void indexChangeIsAFlinkTypeAndRoundTrips() throws Exception {
        IndexChange change = IndexChange.newBuilder()
                .setCollection("docs").setDocId("a").setVersion(7).setOp(DocumentOp.DELETE)
                .setAddedChunkIds(new ArrayList<>()).setRemovedChunkIds(new ArrayList<>(List.of("docs/a#0@6")))
                .setCommitEpoch(3).setCommitTime(Instant.ofEpochMilli(1000)).setSourceEventTime(Instant.ofEpochMilli(9))
                .build();
        assertThat(TypeInformation.of(IndexChange.class)).isInstanceOf(AvroTypeInfo.class);
        assertRoundTrips(IndexChange.class, change);
    }

    private static <T> void assertRoundTrips(Class<T> type, T value) throws Exception {
        TypeInformation<T> info = TypeInformation.of(type);
        assertNoGenericTypes(info, type.getSimpleName());
        TypeSerializer<T> serializer = info.createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        T copy = serializer.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        assertThat(copy).isEqualTo(value);
        assertThat(serializer.copy(value)).isEqualTo(value);
    }

    private static void assertNoGenericTypes(TypeInformation<?> info, String path) {
        assertThat(info).as(path + " falls back to Kryo").isNotInstanceOf(GenericTypeInfo.class);
        // nested types (list elements, map values) show in the description
        assertThat(info.toString()).as(path + " has a field that falls back to Kryo").doesNotContain("GenericType");
        if (info instanceof CompositeType<?> composite) {
            for (int i = 0; i < composite.getArity(); i++) {
                assertNoGenericTypes(composite.getTypeAt(i), path + "." + composite.getFieldNames()[i]);
            }
        }
    }
}
