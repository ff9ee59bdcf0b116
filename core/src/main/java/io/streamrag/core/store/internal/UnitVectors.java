package io.streamrag.core.store.internal;

/** Checks and L2-normalises vectors for the stores, which rank by dot product on unit vectors. Internal. */
public final class UnitVectors {
    private UnitVectors() {
    }

    /**
     * {@code vector} scaled to length 1.
     *
     * @throws IllegalArgumentException naming {@code what} and {@code collection}, when the dimension is not
     *                                  {@code expectedDimension}, a value is not finite or the vector is all zeros
     */
    public static float[] normalise(float[] vector, int expectedDimension, String collection, String what) {
        if (vector.length != expectedDimension) {
            throw new IllegalArgumentException(what + " has " + vector.length + " dimensions, collection '"
                    + collection + "' stores " + expectedDimension);
        }
        double sumOfSquares = 0;
        for (float x : vector) {
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException(what + " contains a non-finite value: " + x);
            }
            sumOfSquares += (double) x * x;
        }
        if (sumOfSquares == 0) {
            throw new IllegalArgumentException(what + " is all zeros and has no direction");
        }
        float scale = (float) (1.0 / Math.sqrt(sumOfSquares));
        float[] unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = vector[i] * scale;
        }
        return unit;
    }

}
