package dev.sluice.ingest.json;

import dev.sluice.avro.InferenceResult;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Re-publishes each Avro result as OIP-style JSON, keyed by request id. */
final class ResultJsonProcessor implements Processor<String, InferenceResult, String, String> {
    private final ResultJsonWriter writer;
    private ProcessorContext<String, String> context;

    ResultJsonProcessor(ResultJsonWriter writer) {
        this.writer = writer;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, InferenceResult> record) {
        InferenceResult result = record.value();
        if (result == null) {
            return;
        }
        context.forward(record.withKey(result.getRequestId()).withValue(writer.write(result)));
    }
}
