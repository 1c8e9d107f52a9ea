package dev.sluice.aggregator;

import static dev.sluice.aggregator.Fixtures.T0;
import static dev.sluice.aggregator.Fixtures.ok;
import static dev.sluice.aggregator.Fixtures.serve;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.aggregator.RevisionDecider.Kind;
import dev.sluice.aggregator.RevisionDecider.Step;
import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.Plan;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.VoteMethod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Provisional and final answers for requests in parts; grace 20 ms, deadline T0 + 100. */
class RevisionDeciderTest {
    private static final long DEADLINE = T0 + 100;
    private final RevisionDecider decider = new RevisionDecider(new AggregationDecider(Duration.ofMillis(20)));

    /** Revision {@code rev} of a 2-part request with {@code missing} parts still to come. */
    private static Plan part(int rev, int missing, boolean finalOnly, String... variants) {
        return Plan.newBuilder(serve("r", VoteMethod.PASS_THROUGH, DEADLINE, variants)).setRevision(rev)
                .setPartsMissing(missing).setPartCount(2).setFinalOnly(finalOnly).build();
    }

    private static final List<ModelOutput> IMAGE_SAYS_3 = List.of(ok("r", "img", 3, 0.6f, T0 + 10));

    @Test
    void aRequestInOnePartIsAnsweredOnceAsBefore() {
        Plan plan = serve("r", VoteMethod.PASS_THROUGH, DEADLINE, "img");
        Step s = decider.next(plan, IMAGE_SAYS_3, null, T0 + 11);
        assertEquals(Kind.FINAL, s.kind());
        assertEquals(0, s.result().getRevision());
        assertTrue(s.result().getFinal$());
        assertEquals(3, s.result().getLabel());
        assertNull(s.result().getReason());
    }

    @Test
    void partsMissingGiveOneProvisionalAnswerPerPlan() {
        Plan first = part(0, 1, false, "img");
        assertEquals(Kind.WAIT, decider.next(first, List.of(), null, T0 + 5).kind());

        Step s = decider.next(first, IMAGE_SAYS_3, null, T0 + 11);
        assertEquals(Kind.PROVISIONAL, s.kind());
        assertFalse(s.result().getFinal$());
        assertEquals(0, s.result().getRevision());
        assertEquals(3, s.result().getLabel());
        assertTrue(s.result().getReason().contains("provisional: 1 of 2 parts still to come"), s.result().getReason());
        assertTrue(s.emitted(first));

        assertEquals(Kind.WAIT, decider.next(first, IMAGE_SAYS_3, s.result(), T0 + 12).kind(), "no second provisional");
    }

    @Test
    void theFinalPlanCorrectsOrConfirmsTheProvisionalAnswer() {
        InferenceResult provisional = decider.next(part(0, 1, false, "img"), IMAGE_SAYS_3, null, T0 + 11).result();
        Plan last = part(1, 0, false, "fuse");
        assertEquals(Kind.WAIT, decider.next(last, IMAGE_SAYS_3, provisional, T0 + 30).kind(), "fuse has not answered");

        List<ModelOutput> fusionSays6 = List.of(IMAGE_SAYS_3.get(0), ok("r", "fuse", 6, 0.9f, T0 + 40));
        Step corrected = decider.next(last, fusionSays6, provisional, T0 + 41);
        assertEquals(Kind.FINAL, corrected.kind());
        assertEquals(1, corrected.result().getRevision());
        assertTrue(corrected.result().getFinal$());
        assertEquals(6, corrected.result().getLabel());
        assertEquals(List.of("fuse"), corrected.result().getVariants());
        assertTrue(corrected.result().getReason().contains("corrects revision 0 (label 3)"), corrected.result().getReason());
        assertTrue(RevisionDecider.corrects(corrected.result(), provisional));

        List<ModelOutput> fusionSays3 = List.of(IMAGE_SAYS_3.get(0), ok("r", "fuse", 3, 0.9f, T0 + 40));
        Step confirmed = decider.next(last, fusionSays3, provisional, T0 + 41);
        assertTrue(confirmed.result().getReason().contains("confirms revision 0"), confirmed.result().getReason());
        assertFalse(RevisionDecider.corrects(confirmed.result(), provisional));
    }

    @Test
    void aPartThatNeverArrivesLeavesTheProvisionalAnswerFinalAtTheDeadline() {
        Plan first = part(0, 1, false, "img");
        InferenceResult provisional = decider.next(first, IMAGE_SAYS_3, null, T0 + 11).result();
        assertEquals(Kind.WAIT, decider.next(first, IMAGE_SAYS_3, provisional, DEADLINE + 19).kind(), "within grace");

        Step s = decider.next(first, IMAGE_SAYS_3, provisional, DEADLINE + 20);
        assertEquals(Kind.FINAL, s.kind());
        assertEquals(1, s.result().getRevision());
        assertEquals(3, s.result().getLabel());
        assertEquals(ResultStatus.OK, s.result().getStatus());
        assertTrue(s.result().getReason().contains("1 of 2 parts never arrived"), s.result().getReason());
        assertTrue(s.result().getReason().contains("confirms revision 0"), s.result().getReason());
    }

    @Test
    void aRequestHeldForItsPartsEndsDeadlineExceededWhenTheyNeverCome() {
        Plan held = part(0, 1, true);
        assertEquals(Kind.WAIT, decider.next(held, List.of(), null, DEADLINE).kind());
        Step s = decider.next(held, List.of(), null, DEADLINE + 20);
        assertEquals(Kind.FINAL, s.kind());
        assertEquals(ResultStatus.DEADLINE_EXCEEDED, s.result().getStatus());
        assertTrue(s.result().getReason().contains("1 of 2 parts never arrived"), s.result().getReason());
    }

    @Test
    void aFinalOnlyClientGetsOneResultNumberedZero() {
        Plan first = part(0, 1, true, "img");
        Step p = decider.next(first, IMAGE_SAYS_3, null, T0 + 11);
        assertEquals(Kind.PROVISIONAL, p.kind(), "kept, in case the other part never comes");
        assertFalse(p.emitted(first));

        Step f = decider.next(part(1, 0, true, "fuse"), List.of(ok("r", "fuse", 6, 0.9f, T0 + 40)), p.result(), T0 + 41);
        assertEquals(0, f.result().getRevision());
        assertEquals(6, f.result().getLabel());
        assertNull(f.result().getReason(), "nothing to confirm or correct: the client saw no provisional answer");
    }
}
