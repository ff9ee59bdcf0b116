package io.streamrag.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.Document;
import io.streamrag.core.embed.TokenCounter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Unit tests with a whitespace token counter: one token per word, so budgets are easy to reason about. */
class TokenChunkerTest {

    private static final TokenCounter WORDS = text -> text.isBlank() ? 0 : text.trim().split("\\s+").length;

    private static TokenChunker chunker(int maxTokens, int overlapTokens) {
        return TokenChunker.builder().tokenCounter(WORDS).maxTokens(maxTokens).overlapTokens(overlapTokens).build();
    }

    private static Document doc(String title, String text) {
        return new Document("col", "doc-1", 7, title, text, Map.of("lang", "en"));
    }

    /** "S<i>w1 S<i>w2 ... S<i>w<n-1> end<i>." : a sentence of n words, recognisable by its index. */
    private static String sentence(int i, int words) {
        String body = IntStream.range(1, words).mapToObj(w -> "S" + i + "w" + w).collect(Collectors.joining(" "));
        return body + " end" + i + ".";
    }

    private static List<String> words(String text) {
        return text.isBlank() ? List.of() : Arrays.asList(text.trim().split("\\s+"));
    }

    @Test
    void blankTextYieldsNoChunks() {
        assertThat(chunker(10, 2).chunk(doc("Title", ""))).isEmpty();
        assertThat(chunker(10, 2).chunk(doc("Title", " \n\t\n  "))).isEmpty();
    }

    @Test
    void aShortDocumentIsOneChunkCarryingTheDocumentFields() {
        List<Chunk> chunks = chunker(50, 5).chunk(doc("A title", "  One sentence here. Another one.  \n"));

        assertThat(chunks).hasSize(1);
        Chunk chunk = chunks.get(0);
        assertThat(chunk.chunkId()).isEqualTo("col/doc-1#0@7").isEqualTo(ChunkIds.of("col", "doc-1", 0, 7));
        assertThat(chunk.text()).isEqualTo("One sentence here. Another one.");
        assertThat(chunk.title()).isEqualTo("A title");
        assertThat(chunk.ordinal()).isZero();
        assertThat(chunk.version()).isEqualTo(7);
        assertThat(chunk.collection()).isEqualTo("col");
        assertThat(chunk.metadata()).containsEntry("lang", "en");
    }

    @Test
    void chunksEndAtSentenceBoundariesAndStayWithinTheBudget() {
        String text = IntStream.range(0, 12).mapToObj(i -> sentence(i, 4)).collect(Collectors.joining(" "));

        List<Chunk> chunks = chunker(10, 0).chunk(doc("", text));

        // 4-word sentences, 10 tokens: two sentences per chunk, never a cut inside a sentence
        assertThat(chunks).hasSize(6);
        for (int c = 0; c < chunks.size(); c++) {
            assertThat(chunks.get(c).text()).isEqualTo(sentence(2 * c, 4) + " " + sentence(2 * c + 1, 4));
            assertThat(WORDS.count(chunks.get(c).embeddingText())).isLessThanOrEqualTo(10);
        }
    }

    @Test
    void withoutOverlapChunksCoverTheTextExactlyOnceInOrder() {
        String text = randomDocument(new Random(42), 40);

        List<Chunk> chunks = chunker(25, 0).chunk(doc("", text));

        List<String> chunked = chunks.stream().flatMap(c -> words(c.text()).stream()).collect(Collectors.toList());
        assertThat(chunked).isEqualTo(words(text));
        for (Chunk chunk : chunks) {
            assertThat(WORDS.count(chunk.embeddingText())).isLessThanOrEqualTo(25);
        }
    }

    @Test
    void theNextChunkStartsWithTheTrailingSentencesOfThePreviousOne() {
        String text = IntStream.range(0, 9).mapToObj(i -> sentence(i, 4)).collect(Collectors.joining(" "));

        List<Chunk> chunks = chunker(16, 8).chunk(doc("", text));

        // 16 tokens: 4 sentences; 8 tokens of overlap: the last 2 sentences are repeated
        assertThat(chunks.get(0).text()).isEqualTo(join(0, 4));
        assertThat(chunks.get(1).text()).isEqualTo(join(2, 6));
        assertThat(chunks.get(2).text()).isEqualTo(join(4, 8));
        assertThat(chunks.get(3).text()).isEqualTo(join(6, 9));
        assertThat(chunks).hasSize(4);
    }

    @Test
    void overlapKeepsWholeSentencesAndCarriesNoneWhenTheLastIsTooLong() {
        String text = sentence(0, 6) + " " + sentence(1, 6) + " " + sentence(2, 6);

        List<Chunk> chunks = chunker(12, 5).chunk(doc("", text));

        // each 6-word sentence is longer than the 5 overlap tokens: no sentence is cut to make an overlap
        assertThat(chunks).extracting(Chunk::text)
                .containsExactly(sentence(0, 6) + " " + sentence(1, 6), sentence(2, 6));
    }

    @Test
    void overlapYieldsToTheFirstNewPieceWhenBothDoNotFit() {
        // the last sentence of chunk 0 (2 words) would be carried, but the next sentence (9 words) fills the budget
        String text = sentence(0, 7) + " " + sentence(1, 2) + " " + sentence(2, 9);

        List<Chunk> chunks = chunker(10, 3).chunk(doc("", text));

        assertThat(chunks).extracting(Chunk::text)
                .containsExactly(sentence(0, 7) + " " + sentence(1, 2), sentence(2, 9));
    }

    @Test
    void idsAndTextsAreStableAcrossRunsAndInstances() {
        String text = randomDocument(new Random(7), 30);
        Document document = doc("Some title", text);

        List<Chunk> first = chunker(20, 6).chunk(document);
        List<Chunk> second = chunker(20, 6).chunk(document);

        assertThat(first).isEqualTo(second);
        assertThat(first).extracting(Chunk::chunkId)
                .containsExactlyElementsOf(IntStream.range(0, first.size())
                        .mapToObj(i -> "col/doc-1#" + i + "@7").collect(Collectors.toList()));
        assertThat(first).extracting(Chunk::ordinal)
                .containsExactlyElementsOf(IntStream.range(0, first.size()).boxed().collect(Collectors.toList()));
    }

    @Test
    void aHeadingStartsANewChunkAndOverlapDoesNotCrossIt() {
        String text = "# Intro\nFirst intro sentence. Second one.\n\n## Methods\nWe did things. Then more.";

        List<Chunk> chunks = chunker(100, 20).chunk(doc("", text));

        assertThat(chunks).extracting(Chunk::text).containsExactly(
                "# Intro\nFirst intro sentence. Second one.",
                "## Methods\nWe did things. Then more.");
    }

    @Test
    void consecutiveHeadingsStayTogetherAndCodeCommentsAreNotHeadings() {
        String text = "Preamble text.\n\n# Chapter\n## Part\nBody of the part.\n\n```\n# not a heading\n```\nAfter code.";

        List<Chunk> chunks = chunker(100, 0).chunk(doc("", text));

        assertThat(chunks).extracting(Chunk::text).containsExactly(
                "Preamble text.",
                "# Chapter\n## Part\nBody of the part.\n\n```\n# not a heading\n```\nAfter code.");
    }

    @Test
    void paragraphsThatFitAreKeptWhole() {
        String p1 = sentence(0, 4) + " " + sentence(1, 4);
        String p2 = sentence(2, 3) + " " + sentence(3, 3);
        String text = p1 + "\n\n" + p2;

        // p1 (8) + p2 (6) exceeds 12: the break falls between the paragraphs, not inside p2
        List<Chunk> chunks = chunker(12, 0).chunk(doc("", text));

        assertThat(chunks).extracting(Chunk::text).containsExactly(p1, p2);
    }

    @Test
    void paragraphsArePackedTogetherWhenTheyFit() {
        String text = "Para one is here.\n\nPara two is here.\r\n\r\nPara three.";

        List<Chunk> chunks = chunker(50, 0).chunk(doc("", text));

        assertThat(chunks).extracting(Chunk::text).containsExactly(text);
    }

    @Test
    void anOverLongSentenceIsHardSplitByWords() {
        String longSentence = IntStream.range(0, 95).mapToObj(i -> "w" + i).collect(Collectors.joining(" ")) + ".";

        List<Chunk> chunks = chunker(20, 0).chunk(doc("", "Intro sentence. " + longSentence + " Outro."));

        List<String> chunked = chunks.stream().flatMap(c -> words(c.text()).stream()).collect(Collectors.toList());
        assertThat(chunked).isEqualTo(words("Intro sentence. " + longSentence + " Outro."));
        assertThat(chunks).allSatisfy(c -> assertThat(WORDS.count(c.embeddingText())).isLessThanOrEqualTo(20));
        // the cut fills chunks: 98 words in 20-token chunks need 5
        assertThat(chunks).hasSize(5);
    }

    @Test
    void anOverLongWordIsSplitBetweenCharacters() {
        // one token per UTF-16 char, so that a cut by chars would fall inside the surrogate pair at index 9
        TokenCounter chars = text -> text.replaceAll("\\s", "").length();
        TokenChunker chunker = TokenChunker.builder().tokenCounter(chars).maxTokens(10).overlapTokens(0).build();
        String word = "abcdefghi\uD83D\uDE00jklmnopqrstuvwxyz";

        List<Chunk> chunks = chunker.chunk(doc("", word));

        assertThat(chunks.stream().map(Chunk::text).collect(Collectors.joining())).isEqualTo(word);
        assertThat(chunks).allSatisfy(c -> {
            assertThat(chars.count(c.text())).isBetween(1, 10);
            assertThat(Character.isLowSurrogate(c.text().charAt(0))).isFalse();
        });
    }

    @Test
    void theTitleCountsAgainstTheBudget() {
        String title = "a five word long title";
        String text = IntStream.range(0, 10).mapToObj(i -> sentence(i, 5)).collect(Collectors.joining(" "));

        List<Chunk> chunks = chunker(16, 0).chunk(doc(title, text));

        // 16 - 5 title tokens leaves 11: two 5-word sentences per chunk, not three
        assertThat(chunks).hasSize(5);
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.embeddingText()).startsWith(title + "\n");
            assertThat(WORDS.count(c.embeddingText())).isLessThanOrEqualTo(16);
        });
    }

    @Test
    void aTitleLongerThanHalfTheBudgetIsNotCountedButTheTextIsHalved() {
        String title = IntStream.range(0, 12).mapToObj(i -> "t" + i).collect(Collectors.joining(" "));
        String text = IntStream.range(0, 6).mapToObj(i -> sentence(i, 4)).collect(Collectors.joining(" "));

        List<Chunk> chunks = chunker(20, 0).chunk(doc(title, text));

        assertThat(chunks).isNotEmpty().allSatisfy(c -> assertThat(WORDS.count(c.text())).isLessThanOrEqualTo(10));
        assertThat(chunks.stream().flatMap(c -> words(c.text()).stream()).collect(Collectors.toList()))
                .isEqualTo(words(text));
    }

    @Test
    void everyChunkIsVerbatimDocumentText() {
        String text = randomDocument(new Random(3), 50);

        List<Chunk> chunks = chunker(30, 10).chunk(doc("t", text));

        assertThat(chunks).allSatisfy(c -> assertThat(text).contains(c.text()));
        assertThat(chunks.get(0).text()).isEqualTo(text.substring(0, chunks.get(0).text().length()));
    }

    @Test
    void settingsAreValidatedNamingTheParameterAndValue() {
        assertThatThrownBy(() -> TokenChunker.builder().maxTokens(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokens").hasMessageContaining("0");
        assertThatThrownBy(() -> TokenChunker.builder().overlapTokens(-3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlapTokens")
                .hasMessageContaining("-3");
        assertThatThrownBy(() -> TokenChunker.builder().tokenCounter(WORDS).maxTokens(10).overlapTokens(6).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlapTokens")
                .hasMessageContaining("6");
        assertThatThrownBy(() -> TokenChunker.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("tokenCounter");
        TokenChunker defaults = TokenChunker.builder().tokenCounter(WORDS).build();
        assertThat(defaults.maxTokens()).isEqualTo(256);
        assertThat(defaults.overlapTokens()).isEqualTo(32);
    }

    private static String join(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> sentence(i, 4)).collect(Collectors.joining(" "));
    }

    /** Paragraphs of sentences of 1 to 14 words, some headings: varied, but the same for the same seed. */
    private static String randomDocument(Random random, int sentences) {
        List<String> parts = new ArrayList<>();
        StringBuilder paragraph = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            if (random.nextInt(8) == 0) {
                parts.add(paragraph.toString().trim());
                paragraph.setLength(0);
                if (random.nextBoolean()) {
                    parts.add("## Heading " + i);
                }
            }
            paragraph.append(sentence(i, 1 + random.nextInt(14))).append(' ');
        }
        parts.add(paragraph.toString().trim());
        return parts.stream().filter(p -> !p.isEmpty()).collect(Collectors.joining("\n\n"));
    }
}
