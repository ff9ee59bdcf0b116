package io.streamrag.core.generate.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code STREAMRAG_LLM_BASE_URL} as one base URL or a comma-separated list of replicas. */
class ChatCompletionsBaseUrlsTest {

    @Test
    void aListIsTrimmedAndKeepsItsOrderWithoutBlanks() {
        assertThat(ChatCompletionsGenerator.parseBaseUrls(" http://b:8000/v1 ,, http://a:8000/v1,  "))
                .containsExactly("http://b:8000/v1", "http://a:8000/v1");
        assertThat(ChatCompletionsGenerator.parseBaseUrls("http://localhost:11434/v1"))
                .containsExactly("http://localhost:11434/v1");
    }

    @Test
    void nothingIsAnEmptyList() {
        assertThat(ChatCompletionsGenerator.parseBaseUrls(null)).isEmpty();
        assertThat(ChatCompletionsGenerator.parseBaseUrls("  ")).isEmpty();
        assertThat(ChatCompletionsGenerator.parseBaseUrls(" , ")).isEmpty();
    }

    @Test
    void everyEntryIsValidated() {
        assertThatThrownBy(() -> ChatCompletionsGenerator.parseBaseUrls("http://a:8000/v1,localhost:8001"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("localhost:8001");
        assertThatThrownBy(() -> ChatCompletionsGenerator.parseBaseUrls("http://a:8000/v1,http://b:8000/v1?x=1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query");
    }

    @Test
    void twoSpellingsOfTheSameEndpointAreADuplicate() {
        assertThatThrownBy(() -> ChatCompletionsGenerator.parseBaseUrls("http://a:8000, http://b:8000/v1, "
                + "http://a:8000/v1/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same endpoint twice")
                .hasMessageContaining("http://a:8000 and http://a:8000/v1/");
    }
}
