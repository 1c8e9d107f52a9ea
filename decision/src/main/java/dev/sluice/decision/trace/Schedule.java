package dev.sluice.decision.trace;

/** Send times of successive requests, seconds from the start of the run. */
public interface Schedule {
    double next();
}
