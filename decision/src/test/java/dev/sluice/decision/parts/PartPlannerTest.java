package dev.sluice.decision.parts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.parts.PartPlanner.AwaitParts;
import dev.sluice.decision.parts.PartPlanner.Dispatch;
import dev.sluice.decision.parts.PartPlanner.Hold;
import dev.sluice.decision.parts.PartPlanner.KeepPrevious;
import dev.sluice.decision.parts.PartPlanner.Reject;
import dev.sluice.decision.parts.PartPlanner.Replan;
import dev.sluice.decision.parts.PartPlanner.SoFar;
import dev.sluice.decision.parts.PartPlanner.Unchanged;
import dev.sluice.decision.policy.Selection;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PartPlannerTest {
    private static SoFar after(List<Integer> seen, List<String> dispatched, int revision, List<String> members) {
        return new SoFar(seen, dispatched, OptionalInt.of(revision), members);
    }

    @Test
    void aPartSeenBeforeIsADuplicateAndTheFirstPartNeverIs() {
        assertFalse(PartPlanner.isDuplicate(null, 0));
        SoFar s = after(List.of(0), List.of("vgg"), 0, List.of("vgg"));
        assertTrue(PartPlanner.isDuplicate(s, 0));
        assertFalse(PartPlanner.isDuplicate(s, 1));
    }

    @Test
    void speculationReplansAtEveryPartWithTheNextRevisionAndTheLastIsFinal() {
        Replan first = assertInstanceOf(Replan.class, PartPlanner.onPart(null, 1, 3, true));
        assertEquals(new Replan(0, 2), first);
        assertTrue(first.provisional());
        Replan second = assertInstanceOf(Replan.class,
                PartPlanner.onPart(after(List.of(0), List.of("a"), 0, List.of("a")), 2, 3, true));
        assertEquals(new Replan(1, 1), second);
        Replan last = assertInstanceOf(Replan.class,
                PartPlanner.onPart(after(List.of(0, 1), List.of("a"), 1, List.of("a")), 3, 3, true));
        assertEquals(new Replan(2, 0), last);
        assertFalse(last.provisional());
    }

    @Test
    void withoutSpeculationPartsAreHeldAndOnlyTheFirstHeldPartAnnouncesTheRequest() {
        assertEquals(new Hold(2, true), PartPlanner.onPart(null, 1, 3, false));
        SoFar announced = after(List.of(0), List.of(), 0, List.of());
        assertEquals(new Hold(1, false), PartPlanner.onPart(announced, 2, 3, false));
        // the last part is planned, as the revision after the announcement
        assertEquals(new Replan(1, 0), PartPlanner.onPart(after(List.of(0, 1), List.of(), 0, List.of()), 3, 3, false));
    }

    @Test
    void aProvisionalPlanMayFallBelowTheFloorToAboutTheBestThePresentPartsAllow() {
        assertEquals(0.95, PartPlanner.floor(0.95, false, OptionalDouble.of(0.93)));
        assertEquals(0.93 - PartPlanner.PROVISIONAL_ACCURACY_SLACK, PartPlanner.floor(0.95, true, OptionalDouble.of(0.93)), 1e-12);
        assertEquals(0.5, PartPlanner.floor(0.5, true, OptionalDouble.of(0.93)), "never above the request's own floor");
        assertEquals(0.95 - PartPlanner.PROVISIONAL_ACCURACY_SLACK, PartPlanner.floor(0.95, true, OptionalDouble.empty()), 1e-12);
    }

    @Test
    void onlyMembersNoEarlierRevisionDispatchedGetATask() {
        Dispatch d = assertInstanceOf(Dispatch.class, PartPlanner.afterDecision(Selection.serve(List.of("vgg", "fusion"), 10),
                false, after(List.of(0), List.of("vgg"), 0, List.of("vgg"))));
        assertEquals(List.of("fusion"), d.now());
        assertEquals(List.of("vgg", "fusion"), d.dispatched());
        assertEquals(List.of(), d.escalateTo());
        Dispatch single = assertInstanceOf(Dispatch.class, PartPlanner.afterDecision(Selection.serve(List.of("a"), 1), false, null));
        assertEquals(List.of("a"), single.now());
    }

    @Test
    void aCascadeDispatchesItsFirstStageAndPassesTheRestOn() {
        Dispatch d = assertInstanceOf(Dispatch.class,
                PartPlanner.afterDecision(Selection.cascade(List.of("small", "mid", "big"), 5, 0.8), false, null));
        assertEquals(List.of("small"), d.now());
        assertEquals(List.of("mid", "big"), d.escalateTo());
        assertEquals(List.of("small"), d.dispatched());
    }

    @Test
    void aRejectedReplanKeepsThePreviousMembersAndAProvisionalOneWaits() {
        Selection no = Selection.reject("over budget");
        KeepPrevious keep = assertInstanceOf(KeepPrevious.class,
                PartPlanner.afterDecision(no, false, after(List.of(0), List.of("vgg"), 3, List.of("vgg"))));
        assertEquals("re-plan rejected (over budget); revision 3's members stand", keep.reason());
        assertInstanceOf(KeepPrevious.class,
                PartPlanner.afterDecision(no, true, after(List.of(0), List.of("vgg"), 0, List.of("vgg"))));
        AwaitParts await = assertInstanceOf(AwaitParts.class, PartPlanner.afterDecision(no, true, null));
        assertEquals("no provisional answer: over budget", await.reason());
        assertInstanceOf(Unchanged.class, PartPlanner.afterDecision(no, true, after(List.of(0), List.of(), 0, List.of())));
        assertEquals(new Reject("over budget"), PartPlanner.afterDecision(no, false, null));
        assertEquals(new Reject("over budget"), PartPlanner.afterDecision(no, false, after(List.of(0), List.of(), 0, List.of())),
                "the final part of a request whose earlier plans had no members is rejected outright");
    }

    @Test
    void whatIsKeptAfterAHeldPart() {
        SoFar announced = PartPlanner.afterHold(null, 1, new Hold(2, true));
        assertEquals(after(List.of(1), List.of(), 0, List.of()), announced, "the announcement is revision 0, no members");
        assertEquals(after(List.of(1, 0), List.of(), 0, List.of()), PartPlanner.afterHold(announced, 0, new Hold(1, false)));
    }

    @Test
    void whatIsKeptAfterAReplanFollowsWhatWasSent() {
        SoFar before = after(List.of(0), List.of("vgg"), 0, List.of("vgg"));
        Selection both = Selection.serve(List.of("vgg", "fusion"), 10);
        Replan last = new Replan(1, 0);
        assertEquals(after(List.of(0, 1), List.of("vgg", "fusion"), 1, List.of("vgg", "fusion")),
                PartPlanner.afterReplan(before, 1, last, both, PartPlanner.afterDecision(both, false, before)));
        Selection no = Selection.reject("over budget");
        assertEquals(after(List.of(0, 1), List.of("vgg"), 1, List.of("vgg")),
                PartPlanner.afterReplan(before, 1, last, no, PartPlanner.afterDecision(no, false, before)),
                "kept previous: its members stand as the new revision");
        SoFar empty = after(List.of(0), List.of(), 0, List.of());
        Replan middle = new Replan(1, 1);
        assertEquals(empty.lastRevision(), PartPlanner.afterReplan(empty, 1, middle, no,
                PartPlanner.afterDecision(no, true, empty)).lastRevision(), "unchanged: no plan sent, the last stands");
        assertEquals(after(List.of(0), List.of(), 0, List.of()),
                PartPlanner.afterReplan(null, 0, new Replan(0, 1), no, PartPlanner.afterDecision(no, true, null)),
                "a plan without members");
        assertEquals(List.of("vgg"), PartPlanner.dispatchedAfter(new AwaitParts("x"), before));
        assertEquals(List.of(), PartPlanner.dispatchedAfter(new Reject("x"), null));
    }

    @Test
    void theBestThePresentPartsAllowIsTheMostAccurateProfiledVariant() {
        var catalog = dev.sluice.decision.policy.CatalogFixtures.multimodalCatalog();
        assertEquals(OptionalDouble.of(0.90), PartPlanner.bestPresent(catalog.servableWith(List.of("image")), "spoken"));
        assertEquals(OptionalDouble.of(0.95),
                PartPlanner.bestPresent(catalog.servableWith(List.of("image", "audio")), "spoken"));
        assertEquals(OptionalDouble.empty(), PartPlanner.bestPresent(catalog, "no-such-task"));
    }

    @Test
    void theFirstRevisionIsZero() {
        assertEquals(0, PartPlanner.nextRevision(OptionalInt.empty()));
        assertEquals(5, PartPlanner.nextRevision(OptionalInt.of(4)));
    }
}
