package io.streamrag.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CollectionNamesTest {

    @Test
    void acceptsLettersDigitsAndSeparatorsUpTo64() {
        for (String good : List.of("docs", "My_Docs-2.v1", "0", "x".repeat(64))) {
            assertThat(CollectionNames.problem(good)).as(good).isEmpty();
            assertThat(CollectionNames.requireValid(good)).isEqualTo(good);
        }
    }

    @Test
    void refusesEverythingElseNamingTheValueAndTheRule() {
        for (String bad : List.of("My Docs!", "a/b", "../x", "_private", ".hidden", "é", "x".repeat(65), " ")) {
            assertThat(CollectionNames.isValid(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> CollectionNames.requireValid(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid collection name '" + bad + "': " + CollectionNames.RULE);
        }
        assertThat(CollectionNames.problem(null)).hasValueSatisfying(p -> assertThat(p).startsWith("collection is missing"));
        assertThat(CollectionNames.problem("")).hasValueSatisfying(p -> assertThat(p).startsWith("collection is missing"));
    }
}
