package io.streamrag.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.Document;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.embed.OnnxEmbedder;
import io.streamrag.core.embed.TokenCounter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Chunks a real SciFact abstract with the real bge tokenizer and checks the budget in that tokenizer's tokens. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenChunkerIT {

    /** SciFact (BEIR) corpus document 4983: title and abstract, verbatim. */
    private static final String TITLE = "Microstructural development of human newborn cerebral white matter assessed"
            + " in vivo by diffusion tensor magnetic resonance imaging.";
    private static final String ABSTRACT = "Alterations of the architecture of cerebral white matter in the"
            + " developing human brain can affect cortical development and result in functional disabilities. A"
            + " line scan diffusion-weighted magnetic resonance imaging (MRI) sequence with diffusion tensor analysis"
            + " was applied to measure the apparent diffusion coefficient, to calculate relative anisotropy, and to"
            + " delineate three-dimensional fiber architecture in cerebral white matter in preterm (n = 17) and"
            + " full-term infants (n = 7). To assess effects of prematurity on cerebral white matter development,"
            + " early gestation preterm infants (n = 10) were studied a second time at term. In the central white"
            + " matter the mean apparent diffusion coefficient at 28 wk was high, 1.8 microm2/ms, and decreased"
            + " toward term to 1.2 microm2/ms. In the posterior limb of the internal capsule, the mean apparent"
            + " diffusion coefficients at both times were similar (1.2 versus 1.1 microm2/ms). Relative anisotropy"
            + " was higher the closer birth was to term with greater absolute values in the internal capsule than in"
            + " the central white matter. Preterm infants at term showed higher mean diffusion coefficients in the"
            + " central white matter (1.4 +/- 0.24 versus 1.15 +/- 0.09 microm2/ms, p = 0.016) and lower relative"
            + " anisotropy in both areas compared with full-term infants (white matter, 10.9 +/- 0.6 versus 22.9 +/-"
            + " 3.0%, p = 0.001; internal capsule, 24.0 +/- 4.44 versus 33.1 +/- 0.6% p = 0.006). Nonmyelinated"
            + " fibers in the corpus callosum were visible by diffusion tensor MRI as early as 28 wk; full-term and"
            + " preterm infants at term showed marked differences in white matter fiber organization. The data"
            + " indicate that quantitative assessment of water diffusion by diffusion tensor MRI provides insight"
            + " into microstructural development in cerebral white matter in living infants.";

    private OnnxEmbedder embedder;
    private TokenCounter counter;

    @BeforeAll
    void load() {
        embedder = OnnxEmbedder.builder(EmbeddingModel.DEFAULT).intraOpThreads(1).build();
        counter = embedder.tokenCounter();
    }

    @AfterAll
    void close() {
        embedder.close();
    }

    @ParameterizedTest
    @CsvSource({"256, 32", "96, 24", "48, 12"})
    void everyEmbeddingTextFitsMaxTokensOfTheRealTokenizer(int maxTokens, int overlapTokens) {
        TokenChunker chunker = TokenChunker.builder().tokenCounter(counter)
                .maxTokens(maxTokens).overlapTokens(overlapTokens).build();
        Document document = new Document("scifact", "4983", 1, TITLE, ABSTRACT, Map.of());

        List<Chunk> chunks = chunker.chunk(document);

        assertThat(counter.count(TITLE + "\n" + ABSTRACT)).isGreaterThan(maxTokens); // the budget binds
        assertThat(chunks).hasSizeGreaterThan(1);
        for (Chunk chunk : chunks) {
            assertThat(counter.count(chunk.embeddingText()))
                    .as("tokens of chunk %s", chunk.chunkId())
                    .isLessThanOrEqualTo(maxTokens);
            assertThat(ABSTRACT).contains(chunk.text());
        }
        assertThat(chunker.chunk(document)).isEqualTo(chunks);
    }

    @Test
    void withoutOverlapTheChunksCoverTheAbstractWordForWord() {
        TokenChunker chunker = TokenChunker.builder().tokenCounter(counter).maxTokens(64).overlapTokens(0).build();

        List<Chunk> chunks = chunker.chunk(new Document("scifact", "4983", 1, TITLE, ABSTRACT, Map.of()));

        List<String> words = chunks.stream().flatMap(c -> Arrays.stream(c.text().split("\\s+")))
                .collect(Collectors.toList());
        assertThat(words).containsExactly(ABSTRACT.split("\\s+"));
    }
}
