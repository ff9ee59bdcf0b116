package io.streamrag.core.embed.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamrag.core.model.PaddedBatch;
import io.streamrag.core.model.VectorMath;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Padding, pooling and normalisation without a model. */
class EmbeddingMathTest {

    @Test
    void aBatchIsPaddedToItsLongestSequenceWithMaskedZeros() {
        PaddedBatch batch = PaddedBatch.of(
                List.of(new long[] {101, 7, 102}, new long[] {101, 102}),
                List.of(new long[] {0, 0, 0}, new long[] {0, 0}));

        assertThat(batch.size()).isEqualTo(2);
        assertThat(batch.length()).isEqualTo(3);
        assertThat(batch.inputIds()).containsExactly(101, 7, 102, 101, 102, 0);
        assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 1, 1, 0);
        assertThat(batch.tokenTypeIds()).containsExactly(0, 0, 0, 0, 0, 0);
        assertThatThrownBy(() -> PaddedBatch.of(List.of(), List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clsPoolingTakesTheFirstTokenAndMeanPoolingSkipsPadding() {
        // batch of 2, length 2, dim 2: row 0 = [[1,2],[3,4]], row 1 = [[5,6],[9,9]] with the second token padded
        float[] hidden = {1, 2, 3, 4, 5, 6, 9, 9};
        long[] mask = {1, 1, 1, 0};

        assertThat(Pooling.CLS.pool(hidden, mask, 0, 2, 2)).containsExactly(1, 2);
        assertThat(Pooling.CLS.pool(hidden, mask, 1, 2, 2)).containsExactly(5, 6);
        assertThat(Pooling.MEAN.pool(hidden, mask, 0, 2, 2)).containsExactly(2, 3);
        assertThat(Pooling.MEAN.pool(hidden, mask, 1, 2, 2)).containsExactly(5, 6);
    }

    @Test
    void normalisationGivesUnitLengthAndLeavesZeroVectorsAlone() {
        float[] v = VectorMath.normalizeInPlace(new float[] {3, 4});
        assertThat(v).containsExactly(new float[] {0.6f, 0.8f}, within(1e-6f));
        assertThat(VectorMath.normalizeInPlace(new float[] {0, 0})).containsExactly(0, 0);
        assertThat(VectorMath.cosine(new float[] {1, 0}, new float[] {2, 0})).isCloseTo(1.0, within(1e-9));
        assertThat(VectorMath.cosine(new float[] {1, 0}, new float[] {0, 0})).isZero();
    }
}
