package io.streamrag.core.cache.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * IEEE 754 half-precision encoding of vectors for the embedding cache: half the bytes of float32 at a relative
 * error below 2^-11 per component, far below the noise between batches of the quantized models. Java 17 has no
 * {@code Float.floatToFloat16}, hence this. Stateless; thread-safe.
 */
public final class Float16 {
    private Float16() {
    }

    /** Little-endian half floats, two bytes per component. */
    public static byte[] encode(float[] vector) {
        ByteBuffer out = ByteBuffer.allocate(vector.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
            out.putShort(toHalf(v));
        }
        return out.array();
    }

    /** @throws IllegalArgumentException if the length is odd (not an encoded vector) */
    public static float[] decode(byte[] bytes) {
        if (bytes.length % 2 != 0) {
            throw new IllegalArgumentException("a float16 vector has an even byte length, got " + bytes.length);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] vector = new float[bytes.length / 2];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = toFloat(in.getShort());
        }
        return vector;
    }

    /** Rounds to nearest even; overflow becomes infinity, underflow subnormals or zero. */
    static short toHalf(float value) {
        int bits = Float.floatToIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) { // NaN or infinity
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (halfExponent <= 0) {
            if (halfExponent < -10) {
                return (short) sign;
            }
            mantissa |= 0x800000; // the implicit leading 1 becomes explicit in a subnormal
            int shift = 14 - halfExponent;
            int half = mantissa >>> shift;
            int rest = mantissa & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (halfExponent << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is the correct rounding up to the next binade
        }
        return (short) (sign | half);
    }

    static float toFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }
}
