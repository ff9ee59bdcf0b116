package io.streamrag.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamrag.core.cache.internal.Float16;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Float16Test {

    @Test
    void roundTripsWithinHalfPrecision() {
        Random random = new Random(42);
        float[] vector = new float[384];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = (float) random.nextGaussian() * 0.05f;
        }
        float[] decoded = Float16.decode(Float16.encode(vector));
        assertThat(Float16.encode(vector)).hasSize(768);
        for (int i = 0; i < vector.length; i++) {
            assertThat(decoded[i]).isCloseTo(vector[i], within(Math.abs(vector[i]) / 1024 + 1e-7f));
        }
    }

    @Test
    void exactValuesAndSpecialCasesSurvive() {
        float[] values = {0f, -0f, 1f, -2f, 0.5f, 65504f, 1e6f, Float.NEGATIVE_INFINITY, 6.0e-8f, 1e-9f};
        float[] decoded = Float16.decode(Float16.encode(values));
        assertThat(decoded[0]).isEqualTo(0f);
        assertThat(decoded[2]).isEqualTo(1f);
        assertThat(decoded[3]).isEqualTo(-2f);
        assertThat(decoded[4]).isEqualTo(0.5f);
        assertThat(decoded[5]).isEqualTo(65504f);
        assertThat(decoded[6]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(decoded[7]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(decoded[8]).isCloseTo(5.96e-8f, within(1e-9f)); // smallest subnormal
        assertThat(decoded[9]).isEqualTo(0f);
    }

    @Test
    void roundsToNearestEven() {
        // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): ties go to the even mantissa, 1
        assertThat(Float16.decode(Float16.encode(new float[] {1f + 0x1p-11f}))[0]).isEqualTo(1f);
        assertThat(Float16.decode(Float16.encode(new float[] {1f + 0x1p-11f + 0x1p-20f}))[0]).isEqualTo(1f + 0x1p-10f);
    }
}
