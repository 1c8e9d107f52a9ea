package dev.sluice.executor;

import dev.sluice.avro.InferenceTask;
import dev.sluice.decision.batch.Batchable;
import org.apache.kafka.common.TopicPartition;

/** A consumed task waiting in the batcher, with where it came from (for offset commits). */
record PendingTask(InferenceTask task, TopicPartition partition, long offset, long arrivalMs) implements Batchable {
    @Override
    public long deadlineMs() {
        return task.getDeadlineMs();
    }

    @Override
    public int priority() {
        return task.getPriority();
    }
}
