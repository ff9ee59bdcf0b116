package io.streamrag.schemas;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic with the serdes of its keys and values and its layout (partitions, topic configs): declared once in
 * {@link Topics} and used by every producer, consumer, topology and topic creator, so that a topic's name, formats
 * and layout never disagree.
 *
 * <p>Immutable and thread-safe when its serdes are (those in {@link Topics} are).
 *
 * @param name the topic name
 * @param keySerde how keys are written
 * @param valueSerde how values are written
 * @param partitions the partitions it is created with (a default: some topics may be created with more)
 * @param configs the topic configs it is created with ({@code cleanup.policy}, {@code max.message.bytes}, ...)
 * @param <K> the key type
 * @param <V> the value type
 */
public record Topic<K, V>(
    String name, Serde<K> keySerde, Serde<V> valueSerde, int partitions, Map<String, String> configs) {

  /** A topic of one partition with the broker's default configs. */
  public Topic(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    this(name, keySerde, valueSerde, 1, Map.of());
  }

  /** Validates the components. */
  public Topic {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank, got '" + name + "'");
    }
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be > 0, got " + partitions);
    }
    configs = Map.copyOf(Objects.requireNonNull(configs, "configs"));
  }

  @Override
  public String toString() {
    return "Topic[" + name + "]";
  }
}
