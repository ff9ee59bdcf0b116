package io.streamrag.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.ChunkIds;
import io.streamrag.core.store.ScoredChunk;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ExtractiveGeneratorTest {
    private static final Pattern MARKER = Pattern.compile("\\[(\\d+)]");

    private final ExtractiveGenerator generator = new ExtractiveGenerator();

    private static ScoredChunk hit(String docId, int ordinal, String text, double score) {
        return new ScoredChunk(new Chunk(ChunkIds.of("c", docId, ordinal, 1), "c", docId, 1, ordinal, "Title " + docId,
                text, Map.of()), score);
    }

    private final ScoredChunk kafka = hit("kafka", 0,
            "Kafka is a distributed event log. Topics are split into partitions. "
                    + "Each partition is replicated across brokers for durability.", 0.9);
    private final ScoredChunk flink = hit("flink", 0,
            "Flink is a stream processor. Checkpoints snapshot operator state to durable storage. "
                    + "After a failure Flink restores the latest checkpoint.", 0.8);
    private final ScoredChunk lucene = hit("lucene", 0,
            "Lucene is a search library. It builds inverted indexes and HNSW graphs.", 0.7);

    @Test
    void answersWithTheSentenceThatMatchesTheQuestionAndCitesIt() {
        Answer answer = generator.generate("How does Flink recover state after a failure?",
                List.of(kafka, flink, lucene));
        assertThat(answer.text()).contains("After a failure Flink restores the latest checkpoint.");
        assertThat(answer.text()).doesNotContain("Kafka is a distributed event log");
        assertThat(answer.citations()).extracting(Citation::docId).containsExactly("flink");
        assertMarkersMatchCitations(answer);
    }

    @Test
    void stemsSoThatWordFormsMatch() {
        Answer answer = generator.generate("Which brokers replicate partitions?", List.of(lucene, kafka));
        // "replicate"/"replicated", "partitions"/"partition"; the weaker "split into partitions" is left out.
        assertThat(answer.text()).isEqualTo("Each partition is replicated across brokers for durability. [1]");
        assertThat(answer.citations()).extracting(Citation::docId).containsExactly("kafka");
    }

    @Test
    void citationNumbersFollowTheCanonicalContextOrderWhateverTheRanking() {
        List<ScoredChunk> context = List.of(lucene, kafka, flink);
        List<ScoredChunk> reversed = new ArrayList<>(context);
        Collections.reverse(reversed);
        String question = "How do Lucene indexes and Kafka partitions work?";
        Answer a = generator.generate(question, context);
        Answer b = generator.generate(question, reversed);
        // Canonical order is by doc id: flink = 1, kafka = 2, lucene = 3.
        assertThat(a.citations()).extracting(Citation::number, Citation::docId)
                .containsExactlyElementsOf(b.citations().stream()
                        .map(c -> org.assertj.core.groups.Tuple.tuple(c.number(), c.docId())).toList());
        assertThat(a.citations()).allSatisfy(c -> assertThat(c.number())
                .isEqualTo(c.docId().equals("flink") ? 1 : c.docId().equals("kafka") ? 2 : 3));
        assertThat(a.citations()).extracting(Citation::docId).contains("kafka", "lucene").doesNotContain("flink");
        assertMarkersMatchCitations(a);
        assertMarkersMatchCitations(b);
    }

    @Test
    void onlyCitedChunksAreListedAndTheyKeepTheirNumbers() {
        Answer answer = generator.generate("What are HNSW graphs?", List.of(kafka, flink, lucene));
        assertThat(answer.citations()).singleElement().satisfies(c -> {
            assertThat(c.number()).isEqualTo(3);
            assertThat(c.docId()).isEqualTo("lucene");
            assertThat(c.chunkId()).isEqualTo(lucene.chunk().chunkId());
            assertThat(c.score()).isEqualTo(0.7);
            assertThat(c.text()).isEqualTo(lucene.chunk().text());
        });
        assertThat(answer.text()).endsWith("[3]");
    }

    @Test
    void theSentenceCountIsBoundedAndConfigurable() {
        ScoredChunk many = hit("many", 0, "Kafka one. Kafka two. Kafka three. Kafka four. Kafka five.", 1.0);
        assertThat(sentenceCount(new ExtractiveGenerator(1).generate("kafka", List.of(many)))).isEqualTo(1);
        assertThat(sentenceCount(new ExtractiveGenerator(3).generate("kafka", List.of(many)))).isEqualTo(3);
        assertThat(sentenceCount(generator.generate("kafka", List.of(many)))).isLessThanOrEqualTo(3);
        assertThatThrownBy(() -> new ExtractiveGenerator(0)).hasMessage("maxSentences must be > 0, got 0");
    }

    @Test
    void sentencesFromOneChunkAreReadInDocumentOrderWithOneMarker() {
        ScoredChunk doc = hit("doc", 0, "Replication copies partitions. Unrelated sentence here. "
                + "Partitions have leaders and replication followers.", 1.0);
        Answer answer = new ExtractiveGenerator(2).generate("partition replication", List.of(doc));
        assertThat(answer.text()).isEqualTo(
                "Replication copies partitions. Partitions have leaders and replication followers. [1]");
    }

    @Test
    void repeatedSentencesFromOverlappingChunksAreQuotedOnce() {
        ScoredChunk first = hit("doc", 0, "Intro text. Checkpoints make Flink exactly-once.", 0.9);
        ScoredChunk second = hit("doc", 1, "Checkpoints make Flink exactly-once. More text follows.", 0.8);
        Answer answer = generator.generate("flink checkpoints exactly-once", List.of(first, second));
        assertThat(answer.text().split("Checkpoints make Flink", -1)).hasSize(2);
    }

    @Test
    void withoutSharedTermsItQuotesTheTopChunksFirstSentence() {
        Answer answer = generator.generate("Who won the football world cup?", List.of(flink, kafka));
        assertThat(answer.text()).isEqualTo("Flink is a stream processor. [1]");
        assertThat(answer.citations()).singleElement()
                .satisfies(c -> assertThat(c.chunkId()).isEqualTo(flink.chunk().chunkId()));

        Answer onlyStopWords = generator.generate("what is it?", List.of(kafka));
        assertThat(onlyStopWords.text()).isEqualTo("Kafka is a distributed event log. [1]");
    }

    @Test
    void withoutContextItSaysSoAndCitesNothing() {
        Answer answer = generator.generate("How does Flink recover?", List.of());
        assertThat(answer.text()).isEqualTo("No indexed document answers this question.");
        assertThat(answer.citations()).isEmpty();

        Answer blank = generator.generate("How does Flink recover?", List.of(hit("blank", 0, "  \n ", 1.0)));
        assertThat(blank.citations()).isEmpty();
        assertThat(blank.text()).isEqualTo(ExtractiveGenerator.NO_ANSWER);
    }

    @Test
    void duplicateContextChunksAreCitedOnce() {
        Answer answer = generator.generate("HNSW graphs", List.of(lucene, lucene, kafka));
        assertThat(answer.citations()).extracting(Citation::chunkId).containsExactly(lucene.chunk().chunkId());
        assertThat(answer.text()).endsWith("[2]");
    }

    @Test
    void markdownLinesAreSentencesOfTheirOwn() {
        ScoredChunk md = hit("md", 0, "# Checkpoints\n- Checkpoints are taken every minute\n"
                + "Unrelated paragraph without full stop", 1.0);
        Answer answer = new ExtractiveGenerator(1).generate("How often are checkpoints taken?", List.of(md));
        assertThat(answer.text()).isEqualTo("Checkpoints are taken every minute [1]");
    }

    @Test
    void headingsAreNeverQuoted() {
        ScoredChunk md = hit("md", 0, "# Embedding model\nThe chunks are embedded with bge-small.\n", 1.0);
        Answer answer = new ExtractiveGenerator(3).generate("Which embedding model is used?", List.of(md));
        assertThat(answer.text()).isEqualTo("The chunks are embedded with bge-small. [1]");
    }

    private static int sentenceCount(Answer answer) {
        return answer.text().replaceAll("\\s*\\[\\d+]", "").split("(?<=\\.)\\s+").length;
    }

    /** Every marker refers to a listed citation and every listed citation is referred to. */
    private static void assertMarkersMatchCitations(Answer answer) {
        List<Integer> markers = new ArrayList<>();
        Matcher m = MARKER.matcher(answer.text());
        while (m.find()) {
            markers.add(Integer.parseInt(m.group(1)));
        }
        assertThat(markers.stream().distinct().sorted().toList())
                .isEqualTo(answer.citations().stream().map(Citation::number).toList());
    }
}
