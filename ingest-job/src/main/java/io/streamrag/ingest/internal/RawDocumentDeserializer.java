package io.streamrag.ingest.internal;

import io.streamrag.ingest.RawDocument;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads Kafka records as {@link RawDocument}s: the bytes and their topic, partition and offset, undecoded.
 * Decoding happens in {@link DocumentDecoder}, where a bad record can be reported and skipped; a
 * deserializer that throws would fail the source and with it the job. Stateless.
 */
public final class RawDocumentDeserializer implements KafkaRecordDeserializationSchema<RawDocument> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawDocument> out) {
        out.collect(new RawDocument(record.topic(), record.partition(), record.offset(), record.key(),
                record.value()));
    }

    @Override
    public TypeInformation<RawDocument> getProducedType() {
        return TypeInformation.of(RawDocument.class);
    }
}
