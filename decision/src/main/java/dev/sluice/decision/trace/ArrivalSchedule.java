package dev.sluice.decision.trace;

/**
 * Turns a rate trace into send times: the i-th request is due when the integral of the rate
 * reaches i (an open-loop, evenly paced schedule; the trace, not the pipeline, sets the pace).
 */
public final class ArrivalSchedule implements Schedule {
    private final RateTrace trace;
    private final double stepSeconds;
    private double t;
    private double accumulated;

    public ArrivalSchedule(RateTrace trace) {
        this(trace, 0.001);
    }

    ArrivalSchedule(RateTrace trace, double stepSeconds) {
        this.trace = trace;
        this.stepSeconds = stepSeconds;
    }

    /** Seconds from the start at which the next request is due. */
    @Override
    public double next() {
        while (accumulated < 1.0) {
            double r = Math.max(0, trace.rateAt(t));
            accumulated += r * stepSeconds;
            t += stepSeconds;
            if (t > 1e7) {
                throw new IllegalStateException("rate trace never reaches another request");
            }
        }
        accumulated -= 1.0;
        return t;
    }
}
