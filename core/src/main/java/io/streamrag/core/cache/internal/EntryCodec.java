package io.streamrag.core.cache.internal;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.store.ScoredChunk;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compact binary encodings of cached values: answers (L1) and scored chunks (L3). Each value starts with a format
 * byte so that a deploy with a new format reads old entries as misses instead of garbage. Stateless; thread-safe.
 */
public final class EntryCodec {
    private static final Logger LOG = LoggerFactory.getLogger(EntryCodec.class);
    private static final byte ANSWER_FORMAT = 1;
    private static final byte CHUNKS_FORMAT = 1;

    private EntryCodec() {
    }

    /** An answer with the stage timings of the run that computed it. */
    public record CachedAnswer(Answer answer, Map<String, Long> timingsMs) {
    }

    public static byte[] encodeAnswer(Answer answer, Map<String, Long> timingsMs) {
        return write(out -> {
            out.writeByte(ANSWER_FORMAT);
            out.writeUTF(answer.text());
            out.writeInt(answer.citations().size());
            for (Citation c : answer.citations()) {
                out.writeInt(c.number());
                out.writeUTF(c.docId());
                out.writeUTF(c.chunkId());
                out.writeDouble(c.score());
                writeLong(out, c.text());
            }
            out.writeInt(timingsMs.size());
            for (Map.Entry<String, Long> t : timingsMs.entrySet()) {
                out.writeUTF(t.getKey());
                out.writeLong(t.getValue());
            }
        });
    }

    /** @return null if the bytes are of another format or corrupt (treated as a miss) */
    public static CachedAnswer decodeAnswer(byte[] bytes) {
        return read(bytes, ANSWER_FORMAT, in -> {
            String text = in.readUTF();
            int n = in.readInt();
            List<Citation> citations = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                citations.add(new Citation(in.readInt(), in.readUTF(), in.readUTF(), in.readDouble(), readLong(in)));
            }
            int timings = in.readInt();
            Map<String, Long> timingsMs = new LinkedHashMap<>();
            for (int i = 0; i < timings; i++) {
                timingsMs.put(in.readUTF(), in.readLong());
            }
            return new CachedAnswer(new Answer(text, citations), timingsMs);
        });
    }

    public static byte[] encodeChunks(List<ScoredChunk> hits) {
        return write(out -> {
            out.writeByte(CHUNKS_FORMAT);
            out.writeInt(hits.size());
            for (ScoredChunk hit : hits) {
                Chunk c = hit.chunk();
                out.writeDouble(hit.score());
                out.writeUTF(c.chunkId());
                out.writeUTF(c.collection());
                out.writeUTF(c.docId());
                out.writeLong(c.version());
                out.writeInt(c.ordinal());
                writeLong(out, c.title());
                writeLong(out, c.text());
                out.writeInt(c.metadata().size());
                for (Map.Entry<String, String> m : c.metadata().entrySet()) {
                    out.writeUTF(m.getKey());
                    writeLong(out, m.getValue());
                }
            }
        });
    }

    /** @return null if the bytes are of another format or corrupt (treated as a miss) */
    public static List<ScoredChunk> decodeChunks(byte[] bytes) {
        return read(bytes, CHUNKS_FORMAT, in -> {
            int n = in.readInt();
            List<ScoredChunk> hits = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                double score = in.readDouble();
                String chunkId = in.readUTF();
                String collection = in.readUTF();
                String docId = in.readUTF();
                long version = in.readLong();
                int ordinal = in.readInt();
                String title = readLong(in);
                String text = readLong(in);
                int m = in.readInt();
                Map<String, String> metadata = new LinkedHashMap<>();
                for (int j = 0; j < m; j++) {
                    metadata.put(in.readUTF(), readLong(in));
                }
                hits.add(new ScoredChunk(
                        new Chunk(chunkId, collection, docId, version, ordinal, title, text, metadata), score));
            }
            return hits;
        });
    }

    /** writeUTF is limited to 64 KiB; chunk texts and answers may be longer. */
    private static void writeLong(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readLong(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] bytes, byte format, Reader<T> reader) {
        if (bytes.length == 0 || bytes[0] != format) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1))) {
            return reader.read(in);
        } catch (IOException e) {
            // A truncated entry: writers always write whole values, so this is corruption. A cache must not fail
            // the query for it: report and treat as a miss (the entry is overwritten by the recomputed value).
            LOG.warn("ignoring a corrupt cache entry of {} bytes: {}", bytes.length, e.toString());
            return null;
        }
    }
}
