package io.streamrag.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device option with the real model: a CUDA request runs on the GPU where ONNX Runtime has a usable CUDA
 * provider and a GPU, and otherwise falls back to the CPU with a warning. Which of the two tests runs depends on
 * the machine and on the Maven profile ({@code -Pgpu}).
 */
class OnnxEmbedderDeviceIT {
    private static final List<String> TEXTS = List.of("Aspirin inhibits platelet aggregation.", "Short.");

    private final CollectingAppender appender = new CollectingAppender();

    @BeforeEach
    void captureWarnings() {
        appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        LoggerConfig logger = new LoggerConfig(OnnxEmbedder.class.getName(), Level.WARN, true);
        logger.addAppender(appender, Level.WARN, null);
        config.addLogger(OnnxEmbedder.class.getName(), logger);
        context.updateLoggers();
    }

    @AfterEach
    void stopCapturing() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().removeLogger(OnnxEmbedder.class.getName());
        context.updateLoggers();
        appender.stop();
    }

    @Test
    void cudaRequestFallsBackToCpuWithAWarningWhereCudaIsUnusable() {
        assumeThat(cudaUsable()).as("this machine has a usable CUDA provider and GPU").isFalse();
        try (OnnxEmbedder cuda = OnnxEmbedder.builder(EmbeddingModel.BGE_SMALL_EN_V15_Q).intraOpThreads(1)
                .device(EmbeddingDevice.CUDA).build();
             OnnxEmbedder cpu = OnnxEmbedder.builder(EmbeddingModel.BGE_SMALL_EN_V15_Q).intraOpThreads(1).build()) {
            assertThat(cuda.device()).isEqualTo(EmbeddingDevice.CPU);
            assertThat(cuda.toString()).contains("device=cpu");
            assertThat(appender.messages)
                    .anySatisfy(m -> assertThat(m).contains("cuda requested").contains("falling back to the CPU"));
            // the fallback is a working embedder, identical to one configured for the CPU
            List<float[]> fallback = cuda.embedPassages(TEXTS);
            List<float[]> reference = cpu.embedPassages(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertThat(fallback.get(i)).containsExactly(reference.get(i));
            }
        }
    }

    @Test
    void cpuIsTheDefaultAndLogsNothing() {
        try (OnnxEmbedder cpu = OnnxEmbedder.builder(EmbeddingModel.BGE_SMALL_EN_V15_Q).intraOpThreads(1).build()) {
            assertThat(cpu.device()).isEqualTo(EmbeddingDevice.CPU);
            assertThat(appender.messages).isEmpty();
        }
    }

    @Test
    void cudaRequestRunsOnTheGpuWhereCudaIsUsable() {
        assumeThat(cudaUsable()).as("this machine has a usable CUDA provider and GPU").isTrue();
        try (OnnxEmbedder cuda = OnnxEmbedder.builder(EmbeddingModel.BGE_SMALL_EN_V15_Q)
                .device(EmbeddingDevice.CUDA).build()) {
            assertThat(cuda.device()).isEqualTo(EmbeddingDevice.CUDA);
            assertThat(cuda.embedPassages(TEXTS)).hasSize(TEXTS.size());
            assertThat(appender.messages).isEmpty();
        }
    }

    private static boolean cudaUsable() {
        Engine engine = Engine.getEngine("OnnxRuntime");
        return engine.hasCapability(StandardCapabilities.CUDA) && engine.getGpuCount() > 0;
    }

    /** Keeps the formatted messages of the events it receives; thread-safe. */
    private static final class CollectingAppender extends AbstractAppender {
        final List<String> messages = new CopyOnWriteArrayList<>();

        CollectingAppender() {
            super("collecting", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            messages.add(event.getMessage().getFormattedMessage());
        }
    }
}
