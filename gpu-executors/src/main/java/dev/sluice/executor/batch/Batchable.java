package dev.sluice.executor.batch;

/** A unit of work the batcher can reason about: when it arrived and when it is due (epoch ms). */
public interface Batchable {
    long arrivalMs();

    long deadlineMs();
}
