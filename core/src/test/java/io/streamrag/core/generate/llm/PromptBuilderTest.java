package io.streamrag.core.generate.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.store.ScoredChunk;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptBuilderTest {
    private final PromptBuilder prompts = new PromptBuilder();

    private static ScoredChunk hit(String docId, int ordinal, String title, String text, double score) {
        return new ScoredChunk(new Chunk("c/" + docId + "#" + ordinal + "@1", "c", docId, 1, ordinal, title, text,
                Map.of()), score);
    }

    private final ScoredChunk alpha0 = hit("alpha", 0, "Alpha", "Alpha zero.", 0.2);
    private final ScoredChunk alpha1 = hit("alpha", 1, "Alpha", "Alpha one.", 0.9);
    private final ScoredChunk beta = hit("beta", 0, "", "Beta text.", 0.5);
    private final ScoredChunk gamma = hit("gamma", 0, "Gamma\n  title", "Gamma text.", 0.7);

    @Test
    void numbersChunksInCanonicalOrderNotRank() {
        PromptBuilder.Prompt prompt = prompts.build("What?", List.of(gamma, alpha1, beta, alpha0));

        assertThat(prompt.chunks()).containsExactly(alpha0, alpha1, beta, gamma);
        assertThat(prompt.user()).isEqualTo("""
                Context passages:

                [1] (document: alpha; title: Alpha)
                Alpha zero.

                [2] (document: alpha; title: Alpha)
                Alpha one.

                [3] (document: beta)
                Beta text.

                [4] (document: gamma; title: Gamma title)
                Gamma text.

                Question: What?
                Answer from the passages above only, citing them as [n].""");
        assertThat(prompt.system()).isEqualTo(PromptBuilder.DEFAULT_SYSTEM_PROMPT).contains("[1]");
    }

    @Test
    void theSameChunksInAnyOrderGiveTheSamePrompt() {
        PromptBuilder.Prompt one = prompts.build("What?", List.of(beta, alpha0, gamma));
        PromptBuilder.Prompt other = prompts.build("What?", List.of(gamma, beta, alpha0, beta));

        assertThat(other.user()).isEqualTo(one.user());
        assertThat(other.chunks()).containsExactly(alpha0, beta, gamma);
    }

    @Test
    void overlappingContextsShareAPromptPrefix() {
        String smaller = prompts.build("Why?", List.of(beta, alpha0)).user();
        String larger = prompts.build("Where?", List.of(gamma, alpha0, beta)).user();

        String sharedContext = smaller.substring(0, smaller.indexOf("Question:"));
        assertThat(larger).startsWith(sharedContext);
    }

    @Test
    void parsesCitationsOfTheChunksItNamesOnly() {
        PromptBuilder.Prompt prompt = prompts.build("What?", List.of(gamma, alpha1, beta, alpha0));

        List<Citation> citations = prompt.citations("Gamma [4]. Alpha [2, 1] and again [ 4 ]; [0], [5] and [2024] "
                + "are not passages; [x] is no marker.");

        assertThat(citations).containsExactly(
                new Citation(1, "alpha", alpha0.chunk().chunkId(), 0.2, "Alpha zero."),
                new Citation(2, "alpha", alpha1.chunk().chunkId(), 0.9, "Alpha one."),
                new Citation(4, "gamma", gamma.chunk().chunkId(), 0.7, "Gamma text."));
    }

    @Test
    void anAnswerWithoutMarkersCitesNothing() {
        Answer answer = prompts.build("What?", List.of(alpha0, beta)).answer("I do not know.");

        assertThat(answer.text()).isEqualTo("I do not know.");
        assertThat(answer.citations()).isEmpty();
    }

    @Test
    void anEmptyContextGivesNoPassages() {
        PromptBuilder.Prompt prompt = prompts.build("What?", List.of());

        assertThat(prompt.chunks()).isEmpty();
        assertThat(prompt.citations("see [1]")).isEmpty();
    }

    @Test
    void takesACustomSystemPrompt() {
        assertThat(new PromptBuilder("Cite as [n].").build("q", List.of(beta)).system()).isEqualTo("Cite as [n].");
        assertThatThrownBy(() -> new PromptBuilder(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("systemPrompt");
    }
}
