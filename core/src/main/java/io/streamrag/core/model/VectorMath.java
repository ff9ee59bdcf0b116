package io.streamrag.core.model;

/** Small vector functions for model outputs (embeddings). Stateless and thread-safe. */
public final class VectorMath {
    private VectorMath() {
    }

    /**
     * Scales {@code v} in place to unit L2 length and returns it. A zero vector is left as it is: there is no
     * direction to keep, and dividing would fill it with NaN, which would poison every later cosine.
     */
    public static float[] normalizeInPlace(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum == 0) {
            return v;
        }
        float inv = (float) (1.0 / Math.sqrt(sum));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }

    /** The dot product; equal to the cosine for unit vectors. */
    public static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("dimension mismatch: " + a.length + " vs " + b.length);
        }
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    /** The cosine similarity; 0 when either vector is zero. */
    public static double cosine(float[] a, float[] b) {
        double na = Math.sqrt(dot(a, a));
        double nb = Math.sqrt(dot(b, b));
        if (na == 0 || nb == 0) {
            return 0;
        }
        return dot(a, b) / (na * nb);
    }
}
