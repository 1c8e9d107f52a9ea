package dev.sluice.bench;

import dev.sluice.ingest.load.RequestOutcome;
import java.util.List;

/** Per-second counts of one run, bucketed by send time: offered, served on time, violations, accuracy. */
public record TimeSeries(double[] offered, double[] servedOnTime, double[] violations, double[] accuracy) {
    public static TimeSeries of(List<RequestOutcome> outcomes, long startMs, int seconds) {
        double[] offered = new double[seconds];
        double[] served = new double[seconds];
        double[] violations = new double[seconds];
        double[] correct = new double[seconds];
        double[] labelled = new double[seconds];
        for (RequestOutcome o : outcomes) {
            int s = (int) ((o.sentAtMs() - startMs) / 1000);
            if (o.sentAtMs() == 0 || s < 0 || s >= seconds) {
                continue;
            }
            offered[s]++;
            if (o.onTime()) {
                served[s]++;
            } else {
                violations[s]++;
            }
            if (o.hasLabel()) {
                labelled[s]++;
                correct[s] += o.correct() ? 1 : 0;
            }
        }
        double[] accuracy = new double[seconds];
        for (int i = 0; i < seconds; i++) {
            accuracy[i] = labelled[i] == 0 ? Double.NaN : correct[i] / labelled[i];
        }
        return new TimeSeries(offered, served, violations, accuracy);
    }
}
