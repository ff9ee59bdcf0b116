package io.streamrag.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamrag.core.model.VectorMath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Runs both bge-small variants for real on small inputs. One embedder per model for the whole class. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxEmbedderIT {

    private static final String PASSAGE = "Aspirin reduces the risk of heart attack by inhibiting platelet aggregation.";
    private static final String PARAPHRASE = "Taking aspirin lowers the chance of a myocardial infarction because it"
            + " stops platelets from clumping.";
    private static final String UNRELATED = "The football match was postponed because of heavy snow in the city.";
    private static final List<String> TEXTS = List.of(
            PASSAGE,
            "Short.",
            "Insulin resistance in skeletal muscle precedes the onset of type 2 diabetes in obese adolescents.",
            "CRISPR-Cas9 enables targeted genome editing in human cells with high efficiency and modest"
                    + " off-target activity, as shown by whole-genome sequencing of edited clones.",
            UNRELATED);

    private final Map<EmbeddingModel, OnnxEmbedder> embedders = new EnumMap<>(EmbeddingModel.class);

    @BeforeAll
    void load() {
        for (EmbeddingModel model : EmbeddingModel.values()) {
            // batchSize 2 so that the 5 texts above span several sub-batches
            embedders.put(model, OnnxEmbedder.builder(model).intraOpThreads(2).interOpThreads(1).batchSize(2).build());
        }
    }

    @AfterAll
    void close() {
        embedders.values().forEach(OnnxEmbedder::close);
    }

    @ParameterizedTest
    @EnumSource(EmbeddingModel.class)
    void vectorsHaveTheModelDimensionAndUnitLength(EmbeddingModel model) {
        OnnxEmbedder embedder = embedders.get(model);
        List<float[]> vectors = embedder.embedPassages(TEXTS);

        assertThat(embedder.dimension()).isEqualTo(384);
        assertThat(embedder.modelId()).isEqualTo(model.id());
        assertThat(vectors).hasSize(TEXTS.size());
        for (float[] v : vectors) {
            assertThat(v).hasSize(384);
            assertThat(Math.sqrt(VectorMath.dot(v, v))).isCloseTo(1.0, within(1e-4));
        }
        assertThat(embedder.embedPassages(List.of())).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(EmbeddingModel.class)
    void aParaphraseIsCloserThanAnUnrelatedSentence(EmbeddingModel model) {
        List<float[]> v = embedders.get(model).embedPassages(List.of(PASSAGE, PARAPHRASE, UNRELATED));

        double paraphrase = VectorMath.dot(v.get(0), v.get(1));
        double unrelated = VectorMath.dot(v.get(0), v.get(2));
        assertThat(paraphrase).isGreaterThan(unrelated + 0.1);
    }

    @ParameterizedTest
    @EnumSource(EmbeddingModel.class)
    void aQueryEmbedsDifferentlyFromTheSamePassageButStaysClose(EmbeddingModel model) {
        OnnxEmbedder embedder = embedders.get(model);
        float[] query = embedder.embedQuery(PASSAGE);
        float[] passage = embedder.embedPassages(List.of(PASSAGE)).get(0);

        double cosine = VectorMath.dot(query, passage);
        assertThat(cosine).isLessThan(0.999).isGreaterThan(0.5);
        // the query instruction points the query at the relevant passage rather than at an unrelated one
        float[] unrelated = embedder.embedPassages(List.of(UNRELATED)).get(0);
        assertThat(cosine).isGreaterThan(VectorMath.dot(query, unrelated));
    }

    @Test
    void fp32BatchOfManyEqualsOneByOne() {
        OnnxEmbedder embedder = embedders.get(EmbeddingModel.BGE_SMALL_EN_V15);
        List<float[]> batched = embedder.embedPassages(TEXTS);
        for (int i = 0; i < TEXTS.size(); i++) {
            float[] single = embedder.embedPassages(List.of(TEXTS.get(i))).get(0);
            assertThat(batched.get(i)).containsExactly(single, within(1e-4f));
        }
    }

    @Test
    void quantizedBatchOfManyStaysCloseToOneByOne() {
        // activations are quantized per batch, so only closeness holds for the -q model
        OnnxEmbedder embedder = embedders.get(EmbeddingModel.BGE_SMALL_EN_V15_Q);
        List<float[]> batched = embedder.embedPassages(TEXTS);
        for (int i = 0; i < TEXTS.size(); i++) {
            float[] single = embedder.embedPassages(List.of(TEXTS.get(i))).get(0);
            assertThat(VectorMath.dot(batched.get(i), single)).isGreaterThan(0.97);
        }
    }

    @ParameterizedTest
    @EnumSource(EmbeddingModel.class)
    void anInputLongerThanTheModelMaximumIsTruncatedNotRejected(EmbeddingModel model) {
        OnnxEmbedder embedder = embedders.get(model);
        String longText = String.join(" ", Collections.nCopies(700, "inflammation"));
        assertThat(embedder.tokenCounter().count(longText)).isGreaterThan(512);

        float[] v = embedder.embedPassages(List.of(longText, "Short.")).get(0);

        assertThat(v).hasSize(384);
        assertThat(Math.sqrt(VectorMath.dot(v, v))).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void tokenCounterCountsWithoutSpecialTokens() {
        TokenCounter counter = embedders.get(EmbeddingModel.BGE_SMALL_EN_V15).tokenCounter();
        assertThat(counter.count("")).isZero();
        assertThat(counter.count("hello world")).isEqualTo(2);
        // wordpiece splits rare words, so tokens outnumber words
        assertThat(counter.count("thrombocytopenia")).isGreaterThan(1);
    }

    @ParameterizedTest
    @EnumSource(EmbeddingModel.class)
    void concurrentCallsGiveTheSameVectorsAsSequentialOnes(EmbeddingModel model) throws Exception {
        OnnxEmbedder embedder = embedders.get(model);
        List<float[]> expected = new ArrayList<>();
        for (String text : TEXTS) {
            expected.add(embedder.embedPassages(List.of(text)).get(0));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<List<float[]>>> tasks = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                tasks.add(() -> {
                    List<float[]> out = new ArrayList<>();
                    for (int round = 0; round < 2; round++) {
                        for (String text : TEXTS) {
                            out.add(embedder.embedPassages(List.of(text)).get(0));
                        }
                    }
                    return out;
                });
            }
            for (Future<List<float[]>> future : pool.invokeAll(tasks, 5, TimeUnit.MINUTES)) {
                List<float[]> got = future.get();
                for (int i = 0; i < got.size(); i++) {
                    // single-text batches: same input, same batch, so the same vector even for -q
                    assertThat(got.get(i)).containsExactly(expected.get(i % TEXTS.size()), within(1e-5f));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClosedEmbedderRefusesWork() {
        OnnxEmbedder embedder = OnnxEmbedder.builder(EmbeddingModel.BGE_SMALL_EN_V15_Q).intraOpThreads(1).build();
        embedder.close();
        embedder.close(); // idempotent

        assertThatThrownBy(() -> embedder.embedPassages(List.of("x")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> embedder.tokenCounter().count("x"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
