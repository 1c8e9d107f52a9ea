package dev.sluice.decision.aggregate;

/**
 * Where a request's time went, in milliseconds (the Avro {@code StageLatency} on the wire):
 * client to selector, selection, the slowest member's queue and compute, aggregation, and the total.
 */
public record StageTimes(double ingestMs, double selectMs, double queueMs, double computeMs, double aggregateMs,
                         double totalMs) {
}
