package io.streamrag.ingest.internal;

import io.streamrag.schemas.ControlEvent;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * The Kafka key of a {@link ControlEvent}: its collection in UTF-8, as {@code Topics.CONTROL} declares, so that
 * the events of one collection land in one partition, in order. Stateless.
 */
public final class ControlEventKeySchema implements SerializationSchema<ControlEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] serialize(ControlEvent event) {
        return event.getCollection().getBytes(StandardCharsets.UTF_8);
    }
}
