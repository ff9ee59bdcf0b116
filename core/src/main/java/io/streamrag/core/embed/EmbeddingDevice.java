package io.streamrag.core.embed;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Where an {@link OnnxEmbedder} runs its model.
 *
 * <p>{@link #CUDA} selects ONNX Runtime's CUDA execution provider; it needs the {@code onnxruntime_gpu} native
 * library on the classpath (Maven profile {@code -Pgpu}) and a visible GPU. Where either is missing the embedder
 * logs a warning and runs on the CPU instead.
 */
public enum EmbeddingDevice {
    /** ONNX Runtime's default CPU execution provider. */
    CPU("cpu"),
    /** ONNX Runtime's CUDA execution provider on GPU 0, falling back to {@link #CPU} where it is unavailable. */
    CUDA("cuda");

    private final String id;

    EmbeddingDevice(String id) {
        this.id = id;
    }

    /** The lower-case name used in flags and settings: {@code cpu} or {@code cuda}. */
    public String id() {
        return id;
    }

    /**
     * Parses {@link #id()} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the bad value and the valid ones
     */
    public static EmbeddingDevice fromId(String id) {
        Objects.requireNonNull(id, "id");
        for (EmbeddingDevice device : values()) {
            if (device.id.equals(id.toLowerCase(Locale.ROOT))) {
                return device;
            }
        }
        throw new IllegalArgumentException("unknown embedding device '" + id + "'; valid: "
                + Arrays.stream(values()).map(EmbeddingDevice::id).collect(Collectors.joining(", ")));
    }
}
