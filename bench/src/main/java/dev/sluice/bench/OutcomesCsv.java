package dev.sluice.bench;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.StageLatency;
import dev.sluice.ingest.load.RequestOutcome;
import java.util.List;

/**
 * Every request of a policy run as one CSV row: when it was sent and answered (ms since the
 * run's first request), its status, the variants that answered it, its stage latencies and the
 * reason of an unsuccessful answer. For finding out where a run's violations came from, request
 * by request, and for comparing a run with the simulator's.
 */
public final class OutcomesCsv {
    public static final String HEADER = "policy,request_id,sent_ms,deadline_ms,received_ms,status,on_time,label,true_label,"
            + "variants,ingest_ms,select_ms,queue_ms,compute_ms,aggregate_ms,reason";

    private OutcomesCsv() {}

    /** The rows of one policy run (no header), times relative to its first request. */
    public static String rows(String policy, List<RequestOutcome> outcomes) {
        long t0 = outcomes.stream().mapToLong(RequestOutcome::sentAtMs).min().orElse(0);
        StringBuilder b = new StringBuilder();
        for (RequestOutcome o : outcomes) {
            InferenceResult r = o.result();
            if (r == null) {
                row(b, policy, o.id(), o.sentAtMs() - t0, o.deadlineMs() - t0, null, "MISSING", false, null, o.trueLabel(),
                        List.of(), null, null);
                continue;
            }
            StageLatency l = r.getLatency();
            row(b, policy, o.id(), o.sentAtMs() - t0, o.deadlineMs() - t0, o.receivedAtMs() - t0, r.getStatus().name(),
                    o.onTime(), r.getLabel(), o.trueLabel(), r.getVariants(), l == null ? null : new double[] {l.getIngestMs(),
                            l.getSelectMs(), l.getQueueMs(), l.getComputeMs(), l.getAggregateMs()}, r.getReason());
        }
        return b.toString();
    }

    /**
     * Appends one row: the simulator's request log ({@code sim --requests-csv}) writes the same
     * columns as the pipeline's.
     *
     * @param receivedMs null: no answer came
     * @param label null: none to write
     * @param stagesMs ingest, select, queue, compute and aggregate ms; null: not known
     */
    public static void row(StringBuilder b, String policy, String id, long sentMs, long deadlineMs, Long receivedMs,
            String status, boolean onTime, Integer label, int trueLabel, List<? extends CharSequence> variants,
            double[] stagesMs, CharSequence reason) {
        b.append(policy).append(',').append(id).append(',').append(sentMs).append(',').append(deadlineMs).append(',')
                .append(receivedMs == null ? "" : receivedMs.toString()).append(',').append(status).append(',').append(onTime)
                .append(',').append(label == null ? "" : label.toString()).append(',').append(trueLabel).append(',')
                .append(String.join("+", variants));
        for (int i = 0; i < 5; i++) {
            b.append(',').append(stagesMs == null ? "" : ms(stagesMs[i]));
        }
        b.append(',').append(quoted(reason)).append('\n');
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "" : String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    /** A CSV field: quoted when it holds a comma, quote or line break, inner quotes doubled. */
    static String quoted(CharSequence s) {
        if (s == null) {
            return "";
        }
        String v = s.toString();
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) {
            return v;
        }
        return '"' + v.replace("\"", "\"\"") + '"';
    }
}
