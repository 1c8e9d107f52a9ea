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
            b.append(policy).append(',').append(o.id()).append(',').append(o.sentAtMs() - t0).append(',')
                    .append(o.deadlineMs() - t0).append(',');
            if (r == null) {
                b.append(",MISSING,false,,").append(o.trueLabel()).append(",,,,,,,\n");
                continue;
            }
            StageLatency l = r.getLatency();
            b.append(o.receivedAtMs() - t0).append(',').append(r.getStatus()).append(',').append(o.onTime()).append(',')
                    .append(r.getLabel()).append(',').append(o.trueLabel()).append(',')
                    .append(String.join("+", r.getVariants())).append(',')
                    .append(ms(l == null ? Double.NaN : l.getIngestMs())).append(',')
                    .append(ms(l == null ? Double.NaN : l.getSelectMs())).append(',')
                    .append(ms(l == null ? Double.NaN : l.getQueueMs())).append(',')
                    .append(ms(l == null ? Double.NaN : l.getComputeMs())).append(',')
                    .append(ms(l == null ? Double.NaN : l.getAggregateMs())).append(',')
                    .append(quoted(r.getReason())).append('\n');
        }
        return b.toString();
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
