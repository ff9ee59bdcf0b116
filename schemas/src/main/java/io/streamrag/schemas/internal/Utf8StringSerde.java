package io.streamrag.schemas.internal;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * UTF-8 string keys; {@code null} maps to {@code null}.
 *
 * <p>Why not {@code Serdes.String()}: its encoding can be changed by {@code configure}, so a shared
 * topic constant holding it would be mutable global state. This serde ignores configuration, holds
 * no state and is thread-safe; one instance may be shared by every client.
 */
public final class Utf8StringSerde implements Serde<String>, Serializer<String>, Deserializer<String> {

  /** The shared instance. */
  public static final Utf8StringSerde INSTANCE = new Utf8StringSerde();

  private Utf8StringSerde() {}

  @Override
  public byte[] serialize(String topic, String data) {
    return data == null ? null : data.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String deserialize(String topic, byte[] data) {
    return data == null ? null : new String(data, StandardCharsets.UTF_8);
  }

  /** Does nothing: this serde has no settings. */
  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {}

  /** Does nothing: this serde holds no resources. */
  @Override
  public void close() {}

  @Override
  public Serializer<String> serializer() {
    return this;
  }

  @Override
  public Deserializer<String> deserializer() {
    return this;
  }

  @Override
  public String toString() {
    return "Utf8StringSerde";
  }
}
