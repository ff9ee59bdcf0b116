package io.streamrag.core.embed.internal;

/**
 * How a sentence vector is read from a transformer's {@code last_hidden_state}. Not public API.
 *
 * <p>The hidden state is one flat row-major array of shape {@code [batch, length, dim]}; the attention mask is
 * a flat {@code [batch, length]} array with 1 for real tokens and 0 for padding. Stateless and thread-safe.
 */
public enum Pooling {
    /** The vector of the first token ({@code [CLS]}); bge models are trained for it. */
    CLS {
        @Override
        public float[] pool(float[] hidden, long[] attentionMask, int row, int length, int dim) {
            float[] out = new float[dim];
            System.arraycopy(hidden, row * length * dim, out, 0, dim);
            return out;
        }
    },
    /** The mean over real (unmasked) tokens; MiniLM-style sentence-transformers are trained for it. */
    MEAN {
        @Override
        public float[] pool(float[] hidden, long[] attentionMask, int row, int length, int dim) {
            float[] out = new float[dim];
            int tokens = 0;
            for (int t = 0; t < length; t++) {
                if (attentionMask[row * length + t] == 0) {
                    continue;
                }
                tokens++;
                int base = (row * length + t) * dim;
                for (int d = 0; d < dim; d++) {
                    out[d] += hidden[base + d];
                }
            }
            if (tokens > 0) {
                for (int d = 0; d < dim; d++) {
                    out[d] /= tokens;
                }
            }
            return out;
        }
    };

    /** Returns a new array with the pooled vector of batch row {@code row}; not normalised. */
    public abstract float[] pool(float[] hidden, long[] attentionMask, int row, int length, int dim);
}
