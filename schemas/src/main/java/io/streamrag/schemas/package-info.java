/**
 * streamrag's wire formats: the Avro records generated from {@code src/main/avro}, their codec
 * ({@link io.streamrag.schemas.AvroCodec}), Kafka and Flink adapters
 * ({@link io.streamrag.schemas.AvroSerde}, {@link io.streamrag.schemas.AvroFlinkSchema}) and the
 * topics they travel on ({@link io.streamrag.schemas.Topics}).
 */
package io.streamrag.schemas;
