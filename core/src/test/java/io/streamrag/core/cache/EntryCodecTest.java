package io.streamrag.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.cache.internal.EntryCodec;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.store.ScoredChunk;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EntryCodecTest {
    private static final String LONG_TEXT = "x".repeat(70_000); // beyond writeUTF's 64 KiB

    @Test
    void answersRoundTrip() {
        Answer answer = new Answer("Orchids are crimson [1].",
                List.of(new Citation(1, "orchid", "c/orchid#0@2", 0.42, LONG_TEXT)));
        EntryCodec.CachedAnswer decoded = EntryCodec.decodeAnswer(
                EntryCodec.encodeAnswer(answer, Map.of("total", 12L)));
        assertThat(decoded.answer()).isEqualTo(answer);
        assertThat(decoded.timingsMs()).containsEntry("total", 12L);
    }

    @Test
    void scoredChunksRoundTrip() {
        List<ScoredChunk> hits = List.of(new ScoredChunk(new Chunk("c/d#3@7", "c", "d", 7, 3, "Title", LONG_TEXT,
                Map.of("lang", "en")), 1.5), new ScoredChunk(new Chunk("c/e#0@1", "c", "e", 1, 0, "", "t", Map.of()),
                0.5));
        assertThat(EntryCodec.decodeChunks(EntryCodec.encodeChunks(hits))).isEqualTo(hits);
    }

    @Test
    void otherFormatsAndCorruptEntriesAreMisses() {
        byte[] chunks = EntryCodec.encodeChunks(List.of());
        byte[] answer = EntryCodec.encodeAnswer(new Answer("a", List.of()), Map.of());
        chunks[0] = 9;
        assertThat(EntryCodec.decodeChunks(chunks)).isNull();
        assertThat(EntryCodec.decodeAnswer(new byte[0])).isNull();
        assertThat(EntryCodec.decodeAnswer(Arrays.copyOf(answer, answer.length - 3))).isNull();
    }
}
