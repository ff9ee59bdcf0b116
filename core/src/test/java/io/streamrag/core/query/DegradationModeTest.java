package io.streamrag.core.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class DegradationModeTest {
    @Test
    void theLadderOrderIsDocumentedSeverity() {
        assertThat(List.of(DegradationMode.values())).extracting(DegradationMode::wireName).containsExactly(
                "normal", "cache_only", "no_rerank", "dense_only", "keyword_only", "fallback_llm", "error");
    }

    @Test
    void theMostSevereModeWins() {
        assertThat(DegradationMode.mostSevere(EnumSet.noneOf(DegradationMode.class))).isEqualTo(DegradationMode.NORMAL);
        assertThat(DegradationMode.mostSevere(List.of(DegradationMode.NO_RERANK, DegradationMode.CACHE_ONLY)))
                .isEqualTo(DegradationMode.NO_RERANK);
        assertThat(DegradationMode.mostSevere(List.of(DegradationMode.FALLBACK_LLM, DegradationMode.KEYWORD_ONLY)))
                .isEqualTo(DegradationMode.FALLBACK_LLM);
        assertThat(DegradationMode.mostSevere(EnumSet.allOf(DegradationMode.class))).isEqualTo(DegradationMode.ERROR);
    }

    @Test
    void wireNamesRoundTrip() {
        for (DegradationMode mode : DegradationMode.values()) {
            assertThat(DegradationMode.fromWireName(mode.wireName())).isEqualTo(mode);
        }
        assertThatThrownBy(() -> DegradationMode.fromWireName("partial"))
                .hasMessage("unknown degradation mode 'partial'");
    }
}
