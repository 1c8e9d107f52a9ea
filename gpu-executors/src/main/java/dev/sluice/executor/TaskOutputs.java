package dev.sluice.executor;

import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.OutputStatus;
import dev.sluice.avro.Tensor;
import dev.sluice.decision.replan.Escalation;
import dev.sluice.decision.vote.OutputTensor;
import dev.sluice.executor.runtime.BatchOutput;
import dev.sluice.executor.runtime.Softmax;
import dev.sluice.schemas.Topics;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The records a variant's executor writes for its tasks: one {@link ModelOutput} per task on the
 * partials topic (a class answer from a classifier's logits, the output tensors of any other
 * model, or an error, a drop or a move with its reason) and, when a cascade's answer is unsure,
 * the next stage's task beside it. No I/O and no clock of its own: the executor passes the time.
 */
final class TaskOutputs {
    static final int CLASSES = 10;

    private final Topics topics;
    private final String executorId;
    private final Supplier<String> device;
    private final Escalation escalation;

    TaskOutputs(Topics topics, String executorId, Supplier<String> device, Escalation escalation) {
        this.topics = topics;
        this.executorId = executorId;
        this.device = device;
        this.escalation = escalation;
    }

    /** An output without an answer (an error, a drop, a move), or with a class answer when {@code probs} is given. */
    ProducerRecord<String, Object> output(PendingTask t, OutputStatus status, int label, float[] probs, String reason,
            double queueMs, double computeMs, int batchSize, long nowMs) {
        List<Float> p = new ArrayList<>(probs == null ? 0 : probs.length);
        if (probs != null) {
            for (float f : probs) {
                p.add(f);
            }
        }
        // the member id: the variant, or one view of it under self-consistency
        ModelOutput o = ModelOutput.newBuilder().setRequestId(t.task().getRequestId()).setVariant(t.task().getVariant())
                .setStatus(status).setLabel(label).setConfidence(probs == null ? 0f : probs[label]).setProbabilities(p)
                .setReason(reason).setExecutorId(executorId).setDevice(device.get()).setBatchSize(batchSize)
                .setQueueMs(queueMs).setComputeMs(computeMs).setCompletedAtMs(nowMs).build();
        return new ProducerRecord<>(topics.partials(), t.task().getRequestId(), o);
    }

    /** Task {@code i}'s class answer from a classifier batch's logits ({@link #CLASSES} per task). */
    ProducerRecord<String, Object> classified(PendingTask t, float[] logits, int i, double queueMs, double computeMs,
            int batchSize, long nowMs) {
        float[] probs = Softmax.probabilities(logits, i * CLASSES, CLASSES);
        return output(t, OutputStatus.OK, Softmax.argmax(probs, 0, CLASSES), probs, null, queueMs, computeMs, batchSize, nowMs);
    }

    /** A task's answer as the model's output tensors, with no class. */
    ProducerRecord<String, Object> tensors(PendingTask t, List<Tensor> tensors, double queueMs, double computeMs,
            int batchSize, long nowMs) {
        ProducerRecord<String, Object> o = output(t, OutputStatus.OK, -1, null, null, queueMs, computeMs, batchSize, nowMs);
        ((ModelOutput) o.value()).setOutputs(tensors);
        return o;
    }

    /** Each task's share of a batch's output tensors (batch axis 1), as Avro tensors, in batch order. */
    static List<List<Tensor>> perTask(List<BatchOutput> outputs, int n) {
        List<List<Tensor>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<Tensor> mine = new ArrayList<>(outputs.size());
            for (BatchOutput b : outputs) {
                OutputTensor s = b.sample(i, n);
                mine.add(new Tensor(s.name(), s.datatype(), s.shape(), ByteBuffer.wrap(s.data()), Map.of()));
            }
            out.add(mine);
        }
        return out;
    }

    /**
     * A task's records: its output and, when a cascade's answer is unsure and the next stage can
     * still answer in time, the next stage's task, published together (one transaction under
     * exactly-once) so the aggregator never waits for a stage that was not asked.
     */
    List<ProducerRecord<String, Object>> withEscalation(PendingTask t, ProducerRecord<String, Object> output, long nowMs) {
        if (!(output.value() instanceof ModelOutput o) || o.getStatus() != OutputStatus.OK || !o.getOutputs().isEmpty()) {
            return List.of(output); // output tensors have no confidence to escalate on
        }
        return escalation.next(TaskRoutes.routingOf(t.task()), o.getConfidence(), nowMs)
                .<List<ProducerRecord<String, Object>>>map(stage -> {
                    InferenceTask next = TaskRoutes.escalated(t.task(), stage, nowMs);
                    o.setEscalatedTo(next.getVariant());
                    return List.of(new ProducerRecord<>(topics.tasks(next.getVariant()), next.getRequestId(), next), output);
                }).orElse(List.of(output));
    }
}
