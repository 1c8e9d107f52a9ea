package dev.sluice.decision.aggregate;

import static dev.sluice.decision.aggregate.PlanFixtures.serve;
import static dev.sluice.decision.vote.MemberFixtures.T0;
import static dev.sluice.decision.vote.MemberFixtures.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.vote.MemberOutput;
import dev.sluice.decision.vote.VoteMethod;

import dev.sluice.decision.aggregate.RevisionDecider.Kind;
import dev.sluice.decision.aggregate.RevisionDecider.Step;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Provisional and final answers for requests in parts; grace 20 ms, deadline T0 + 100. */
class RevisionDeciderTest {
    private static final long DEADLINE = T0 + 100;
    private final RevisionDecider decider = new RevisionDecider(new AggregationDecider(Duration.ofMillis(20)));

    /**
     * A plan of a 2-part request with {@code missing} parts still to come; {@code rev}, its revision,
     * only names which plan a test means (deciding does not read it).
     */
    private static PlanView part(int rev, int missing, boolean finalOnly, String... variants) {
        return PlanFixtures.inParts(serve(VoteMethod.PASS_THROUGH, DEADLINE, variants), missing, 2, finalOnly);
    }

    private static final List<MemberOutput> IMAGE_SAYS_3 = List.of(ok("img", 3, 0.6f, T0 + 10));

    @Test
    void aRequestInOnePartIsAnsweredOnceAsBefore() {
        PlanView plan = serve(VoteMethod.PASS_THROUGH, DEADLINE, "img");
        Step s = decider.next(plan, IMAGE_SAYS_3, null, T0 + 11);
        assertEquals(Kind.FINAL, s.kind());
        assertEquals(0, s.result().revision());
        assertTrue(s.result().isFinal());
        assertEquals(3, s.result().label());
        assertNull(s.result().reason());
    }

    @Test
    void partsMissingGiveOneProvisionalAnswerPerPlan() {
        PlanView first = part(0, 1, false, "img");
        assertEquals(Kind.WAIT, decider.next(first, List.of(), null, T0 + 5).kind());

        Step s = decider.next(first, IMAGE_SAYS_3, null, T0 + 11);
        assertEquals(Kind.PROVISIONAL, s.kind());
        assertFalse(s.result().isFinal());
        assertEquals(0, s.result().revision());
        assertEquals(3, s.result().label());
        assertTrue(s.result().reason().contains("provisional: 1 of 2 parts still to come"), s.result().reason());
        assertTrue(s.emitted(first));

        assertEquals(Kind.WAIT, decider.next(first, IMAGE_SAYS_3, s.result(), T0 + 12).kind(), "no second provisional");
    }

    @Test
    void theFinalPlanCorrectsOrConfirmsTheProvisionalAnswer() {
        RequestResult provisional = decider.next(part(0, 1, false, "img"), IMAGE_SAYS_3, null, T0 + 11).result();
        PlanView last = part(1, 0, false, "fuse");
        assertEquals(Kind.WAIT, decider.next(last, IMAGE_SAYS_3, provisional, T0 + 30).kind(), "fuse has not answered");

        List<MemberOutput> fusionSays6 = List.of(IMAGE_SAYS_3.get(0), ok("fuse", 6, 0.9f, T0 + 40));
        Step corrected = decider.next(last, fusionSays6, provisional, T0 + 41);
        assertEquals(Kind.FINAL, corrected.kind());
        assertEquals(1, corrected.result().revision());
        assertTrue(corrected.result().isFinal());
        assertEquals(6, corrected.result().label());
        assertEquals(List.of("fuse"), corrected.result().variants());
        assertTrue(corrected.result().reason().contains("corrects revision 0 (label 3)"), corrected.result().reason());
        assertTrue(RevisionDecider.corrects(corrected.result(), provisional));

        List<MemberOutput> fusionSays3 = List.of(IMAGE_SAYS_3.get(0), ok("fuse", 3, 0.9f, T0 + 40));
        Step confirmed = decider.next(last, fusionSays3, provisional, T0 + 41);
        assertTrue(confirmed.result().reason().contains("confirms revision 0"), confirmed.result().reason());
        assertFalse(RevisionDecider.corrects(confirmed.result(), provisional));
    }

    @Test
    void aPartThatNeverArrivesLeavesTheProvisionalAnswerFinalAtTheDeadline() {
        PlanView first = part(0, 1, false, "img");
        RequestResult provisional = decider.next(first, IMAGE_SAYS_3, null, T0 + 11).result();
        assertEquals(Kind.WAIT, decider.next(first, IMAGE_SAYS_3, provisional, DEADLINE + 19).kind(), "within grace");

        Step s = decider.next(first, IMAGE_SAYS_3, provisional, DEADLINE + 20);
        assertEquals(Kind.FINAL, s.kind());
        assertEquals(1, s.result().revision());
        assertEquals(3, s.result().label());
        assertEquals(RequestStatus.OK, s.result().status());
        assertTrue(s.result().reason().contains("1 of 2 parts never arrived"), s.result().reason());
        assertTrue(s.result().reason().contains("confirms revision 0"), s.result().reason());
    }

    @Test
    void aRequestHeldForItsPartsEndsDeadlineExceededWhenTheyNeverCome() {
        PlanView held = part(0, 1, true);
        assertEquals(Kind.WAIT, decider.next(held, List.of(), null, DEADLINE).kind());
        Step s = decider.next(held, List.of(), null, DEADLINE + 20);
        assertEquals(Kind.FINAL, s.kind());
        assertEquals(RequestStatus.DEADLINE_EXCEEDED, s.result().status());
        assertTrue(s.result().reason().contains("1 of 2 parts never arrived"), s.result().reason());
    }

    @Test
    void aFinalOnlyClientGetsOneResultNumberedZero() {
        PlanView first = part(0, 1, true, "img");
        Step p = decider.next(first, IMAGE_SAYS_3, null, T0 + 11);
        assertEquals(Kind.PROVISIONAL, p.kind(), "kept, in case the other part never comes");
        assertFalse(p.emitted(first));

        Step f = decider.next(part(1, 0, true, "fuse"), List.of(ok("fuse", 6, 0.9f, T0 + 40)), p.result(), T0 + 41);
        assertEquals(0, f.result().revision());
        assertEquals(6, f.result().label());
        assertNull(f.result().reason(), "nothing to confirm or correct: the client saw no provisional answer");
    }

    @Test
    void onlyALaterRevisionReplacesThePlan() {
        assertTrue(RevisionDecider.replaces(1, 0));
        assertFalse(RevisionDecider.replaces(0, 0), "a redelivered plan");
        assertFalse(RevisionDecider.replaces(0, 1), "an overtaken earlier revision");
    }
}
