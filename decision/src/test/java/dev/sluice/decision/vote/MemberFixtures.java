package dev.sluice.decision.vote;

import java.util.ArrayList;
import java.util.List;

/** Member outputs for tests, at time {@link #T0}. */
public final class MemberFixtures {
    public static final long T0 = 1_700_000_000_000L;

    private MemberFixtures() {}

    public static MemberOutput ok(String member, int label, float confidence, long completedAtMs) {
        return output(member, MemberStatus.OK, label, confidence, null, completedAtMs);
    }

    /** An OK output carrying a probability vector; label and confidence are its argmax and max. */
    public static MemberOutput probs(String member, long completedAtMs, float... probabilities) {
        int label = 0;
        for (int c = 1; c < probabilities.length; c++) {
            if (probabilities[c] > probabilities[label]) {
                label = c;
            }
        }
        List<Float> p = new ArrayList<>();
        for (float f : probabilities) {
            p.add(f);
        }
        MemberOutput o = ok(member, label, probabilities[label], completedAtMs);
        return new MemberOutput(o.member(), o.status(), o.label(), o.confidence(), p, o.reason(), o.escalatedTo(),
                o.queueMs(), o.computeMs(), o.completedAtMs());
    }

    public static MemberOutput failed(String member, MemberStatus status, String reason, long completedAtMs) {
        return output(member, status, -1, 0f, reason, completedAtMs);
    }

    /** The output, saying it passed the request on to (or, MOVED, was re-planned to) {@code to}. */
    public static MemberOutput escalated(MemberOutput o, String to) {
        return new MemberOutput(o.member(), o.status(), o.label(), o.confidence(), o.probabilities(), o.reason(), to,
                o.queueMs(), o.computeMs(), o.completedAtMs());
    }

    public static MemberOutput output(String member, MemberStatus status, int label, float confidence, String reason,
                                      long completedAtMs) {
        // queue and compute distinct per member so "max over members" is visible
        return new MemberOutput(member, status, label, confidence, List.of(), reason, null, member.length(),
                10.0 * member.length(), completedAtMs);
    }
}
