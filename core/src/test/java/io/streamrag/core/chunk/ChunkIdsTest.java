package io.streamrag.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChunkIdsTest {

    @Test
    void theVersionIsReadBackFromAnId() {
        assertThat(ChunkIds.version(ChunkIds.of("docs", "a/b@c.md", 3, 1_700_000_000_123L)))
                .hasValue(1_700_000_000_123L);
        assertThat(ChunkIds.version("docs/d#0@x")).isEmpty();
        assertThat(ChunkIds.version("docs/d#0@")).isEmpty();
        assertThat(ChunkIds.version("docs/d@1#0")).isEmpty();
        assertThat(ChunkIds.version(null)).isEmpty();
    }
}
