package dev.sluice.decision.batch;

import java.util.List;

/** Tasks to run together, and why now. */
public record Batch<T>(List<T> tasks, FlushReason reason) {
    public Batch {
        tasks = List.copyOf(tasks);
    }

    public int size() {
        return tasks.size();
    }
}
