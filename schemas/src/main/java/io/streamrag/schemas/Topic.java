package io.streamrag.schemas;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic with the serdes of its keys and values: declared once in {@link Topics} and used by
 * every producer, consumer and topology, so that a topic's name and formats never disagree.
 *
 * <p>Immutable and thread-safe when its serdes are (those in {@link Topics} are).
 *
 * @param name the topic name
 * @param keySerde how keys are written
 * @param valueSerde how values are written
 * @param <K> the key type
 * @param <V> the value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

  /** Validates the components. */
  public Topic {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank, got '" + name + "'");
    }
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
  }

  @Override
  public String toString() {
    return "Topic[" + name + "]";
  }
}
