package dev.sluice.sim;

/**
 * Per-second counts of one run, bucketed by creation time as {@code bench policies}' time series
 * is by send time: offered, served on time, violations, and the accuracy of labelled answers.
 */
public record SimSeries(double[] offered, double[] servedOnTime, double[] violations, double[] accuracy) {
    /** SLO attainment per second: served on time over offered (NaN in a second with no request). */
    public double[] sloAttainment() {
        double[] s = new double[offered.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = offered[i] == 0 ? Double.NaN : servedOnTime[i] / offered[i];
        }
        return s;
    }
}
