package dev.sluice.models;

/** Measured latency of one batch of {@code batch} samples, milliseconds. */
public record LatencyPoint(int batch, double p50Ms, double p95Ms, double p99Ms) {}
