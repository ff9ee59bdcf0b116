package io.streamrag.core.model;

import java.util.List;

/**
 * Token ids of a batch padded to its longest sequence, as flat row-major {@code [size, length]} arrays ready
 * to become int64 tensors. Padding positions hold id 0 ({@code [PAD]} in BERT vocabularies), type id 0 and
 * mask 0, so they are invisible to attention and to mean pooling. Immutable once built (the
 * arrays are not copied: callers must not modify them).
 *
 * @param inputIds      token ids, {@code size * length}
 * @param attentionMask 1 for real tokens, 0 for padding, {@code size * length}
 * @param tokenTypeIds  segment ids, {@code size * length}
 * @param size          number of sequences
 * @param length        the longest sequence's length
 */
public record PaddedBatch(long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int size, int length) {

    /**
     * Pads the given sequences.
     *
     * @param ids     token ids per sequence, including special tokens
     * @param typeIds segment ids per sequence, same lengths as {@code ids}
     */
    public static PaddedBatch of(List<long[]> ids, List<long[]> typeIds) {
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one sequence");
        }
        if (ids.size() != typeIds.size()) {
            throw new IllegalArgumentException("ids and typeIds differ in size: " + ids.size() + " vs "
                    + typeIds.size());
        }
        int length = 1;
        for (long[] seq : ids) {
            length = Math.max(length, seq.length);
        }
        int size = ids.size();
        long[] inputIds = new long[size * length];
        long[] mask = new long[size * length];
        long[] types = new long[size * length];
        for (int row = 0; row < size; row++) {
            long[] seq = ids.get(row);
            long[] seqTypes = typeIds.get(row);
            if (seqTypes.length != seq.length) {
                throw new IllegalArgumentException("sequence " + row + ": " + seq.length + " ids but "
                        + seqTypes.length + " type ids");
            }
            int base = row * length;
            System.arraycopy(seq, 0, inputIds, base, seq.length);
            System.arraycopy(seqTypes, 0, types, base, seq.length);
            for (int t = 0; t < seq.length; t++) {
                mask[base + t] = 1;
            }
        }
        return new PaddedBatch(inputIds, mask, types, size, length);
    }
}
