package dev.sluice.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.avro.Tensor;
import dev.sluice.decision.replan.Escalation;
import dev.sluice.schemas.Tensors;
import dev.sluice.schemas.Topics;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TaskOutputsTest {
    private final TaskOutputs outputs = new TaskOutputs(Topics.prefixed("t.", "t."), "e1", () -> "cpu", Escalation.never());

    private static PendingTask task(String id) {
        return new PendingTask(InferenceTask.newBuilder().setRequestId(id).setVariant("vgg").setTask("fashion-mnist")
                .setInput(Tensors.fp32("input", new long[] {1}, new float[] {0f})).setDeadlineMs(1).setEnqueuedAtMs(0)
                .setCreatedAtMs(0).build(), new TopicPartition("t.sluice.tasks.vgg", 0), 0, 0);
    }

    @Test
    void aClassifierTaskGetsTheArgmaxOfItsOwnLogitsOnTheDeploymentsPartialsTopic() {
        float[] logits = new float[2 * TaskOutputs.CLASSES];
        logits[3] = 5f; // task 0: class 3
        logits[TaskOutputs.CLASSES + 7] = 5f; // task 1: class 7
        ProducerRecord<String, Object> r = outputs.classified(task("r1"), logits, 1, 2.0, 3.0, 2, 1_000);
        ModelOutput o = (ModelOutput) r.value();
        assertEquals("t.sluice.partials", r.topic());
        assertEquals("r1", r.key());
        assertEquals(7, o.getLabel());
        assertEquals(OutputStatus.OK, o.getStatus());
        assertEquals(10, o.getProbabilities().size());
        assertEquals(o.getProbabilities().get(7), o.getConfidence(), 1e-6);
        assertEquals("e1", o.getExecutorId());
        assertEquals(1_000, o.getCompletedAtMs());
    }

    @Test
    void aTensorAnswerHasNoClassAndIsNeverEscalated() {
        Tensor emb = Tensors.fp32("embedding", new long[] {1, 2}, new float[] {0.5f, -1f});
        ProducerRecord<String, Object> r = outputs.tensors(task("r2"), List.of(emb), 0, 1, 1, 5);
        ModelOutput o = (ModelOutput) r.value();
        assertEquals(-1, o.getLabel());
        assertTrue(o.getProbabilities().isEmpty());
        assertEquals(List.of(emb), o.getOutputs());
        assertEquals(List.of(r), outputs.withEscalation(task("r2"), r, 5));
    }

    @Test
    void anErrorSaysWhy() {
        ModelOutput o = (ModelOutput) outputs.output(task("r3"), OutputStatus.ERROR, -1, null, "model vgg failed: x", 4, 0, 8, 9)
                .value();
        assertEquals(OutputStatus.ERROR, o.getStatus());
        assertEquals("model vgg failed: x", o.getReason());
        assertEquals(0f, o.getConfidence());
        assertEquals(8, o.getBatchSize());
    }
}
