package dev.sluice.sim;

/** Each request's accuracy floor, by its index and its arrival time (seconds from the first arrival). */
@FunctionalInterface
public interface FloorSchedule {
    double floor(int index, double atS);
}
