package dev.sluice.sim;

import static dev.sluice.decision.policy.CatalogFixtures.SPOKEN;
import static dev.sluice.decision.policy.CatalogFixtures.multimodalCatalog;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.decision.aggregate.AggregationDecider;
import dev.sluice.decision.aggregate.PlanAction;
import dev.sluice.decision.aggregate.PlanView;
import dev.sluice.decision.aggregate.RequestResult;
import dev.sluice.decision.aggregate.RevisionDecider;
import dev.sluice.decision.load.LoadView;
import dev.sluice.decision.parts.PartPlanner;
import dev.sluice.decision.policy.Policies;
import dev.sluice.decision.policy.Selection;
import dev.sluice.decision.policy.SelectionPolicy;
import dev.sluice.decision.policy.SelectionRequest;
import dev.sluice.decision.trace.RateTrace;
import dev.sluice.decision.vote.MemberOutput;
import dev.sluice.decision.vote.MemberStatus;
import dev.sluice.decision.vote.VoteMethod;
import dev.sluice.decision.vote.Voters;
import dev.sluice.models.Catalog;
import dev.sluice.sim.hops.HopLatencies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Requests in parts through the simulator, on the catalog of the selector's parts tests
 * ({@code SelectorPartsTest}: task "spoken" with img (image, 0.90), aud (audio, 0.70) and fuse
 * (both, 0.95)) under infaas, the selector's default, every hop 1 ms: each request's sequence of
 * decisions (hold / re-plan and what it sent / provisional / final) is the one the pipeline's pure
 * code gives for the same parts, and the one {@code SelectorPartsTest} and
 * {@code RevisionDeciderTest} document.
 */
class PartsInTheSimulatorTest {
    private static final long DEADLINE_MS = 500;
    private static final Catalog CATALOG = multimodalCatalog();

    /** Every request's decisions in order, for requests sent {@code parts} apart by {@code gapMs}. */
    private static Map<String, List<String>> run(String parts, long gapMs, boolean speculate, double floor) {
        SimConfig c = SimConfig.of(SPOKEN, RateTrace.steady(1), 1, 3, DEADLINE_MS, List.of(floor),
                Map.of("img", 1, "aud", 1, "fuse", 1)).withEvenArrivals();
        SimEnvironment env = SimEnvironment.NONE.withParts(SimParts.parse(parts, String.valueOf(gapMs), speculate, null));
        Simulation sim = new Simulation(c, CATALOG, HopLatencies.constant(1), env, "infaas", 1);
        Map<String, List<String>> log = new LinkedHashMap<>();
        sim.traceParts((id, what) -> log.computeIfAbsent(id, k -> new ArrayList<>()).add(labelFree(what)));
        RunResult r = sim.run(null);
        assertNotNull(r.parts());
        assertEquals(r.sent(), r.parts().requests());
        assertFalse(log.isEmpty());
        return log;
    }

    /** Whether a final confirms or corrects depends on the drawn answers: not part of the decision sequence. */
    private static String labelFree(String what) {
        return what.replace(" (confirms)", "").replace(" (corrects)", "");
    }

    /**
     * What the pipeline's pure code decides for one request whose parts come in {@code order},
     * each plan's members answering before the next part arrives; with {@code lastInTime} false
     * the last part comes after the deadline, so the aggregator answers at the deadline first.
     * The selector's steps as {@code SelectorProcessor.onPart} takes them, the aggregator's as
     * {@code AggregatorProcessor} does, at an idle load view.
     */
    private static List<String> reference(List<List<String>> order, boolean speculate, double floor, boolean lastInTime) {
        boolean finalOnly = !speculate;
        SelectionPolicy policy = new Policies(Policies.Settings.defaults(50).withSeed(1)).get("infaas");
        RevisionDecider revisions = new RevisionDecider(new AggregationDecider(Duration.ZERO, Voters.unweighted()));
        List<String> log = new ArrayList<>();
        PartPlanner.SoFar soFar = null;
        Set<String> present = new LinkedHashSet<>();
        List<MemberOutput> outputs = new ArrayList<>();
        PlanView plan = null;
        List<String> lastMembers = List.of();
        RequestResult provisional = null;
        for (int k = 0; k < order.size(); k++) {
            if (k == order.size() - 1 && !lastInTime) {
                RevisionDecider.Step due = revisions.next(plan, outputs, provisional, DEADLINE_MS);
                log.add("aggregator: final r" + due.result().revision() + " " + due.result().status() + " "
                        + due.result().variants());
                return log;
            }
            present.addAll(order.get(k));
            int seen = (soFar == null ? 0 : soFar.partsSeen().size()) + 1;
            PartPlanner.Step step = PartPlanner.onPart(soFar, seen, order.size(), speculate);
            if (step instanceof PartPlanner.Hold hold) {
                log.add("part " + k + ": hold, " + hold.missing() + " missing" + (hold.announce() ? ", announced" : ""));
                if (hold.announce()) {
                    plan = plan(PlanAction.SERVE, List.of(), finalOnly, hold.missing(), order.size());
                }
                soFar = PartPlanner.afterHold(soFar, k, hold);
                continue;
            }
            PartPlanner.Replan replan = (PartPlanner.Replan) step;
            Catalog servable = CATALOG.servableWith(List.copyOf(present));
            double f = PartPlanner.floor(floor, replan.provisional(),
                    replan.provisional() ? PartPlanner.bestPresent(servable, SPOKEN) : OptionalDouble.empty());
            Selection s = policy.decide(new SelectionRequest("r", SPOKEN, 0, DEADLINE_MS, 0, f, null, List.copyOf(present)),
                    servable, new LoadView(2_000).snapshot(0), 0);
            PartPlanner.Outcome outcome = PartPlanner.afterDecision(s, replan.provisional(), soFar);
            soFar = PartPlanner.afterReplan(soFar, k, replan, s, outcome);
            String head = "part " + k + ": replan r" + replan.revision() + ", " + replan.missing() + " missing: ";
            if (outcome instanceof PartPlanner.Dispatch d) {
                log.add(head + "dispatch " + d.now() + ", plan " + s.variants());
                lastMembers = s.variants();
                plan = plan(PlanAction.SERVE, s.variants(), finalOnly, replan.missing(), order.size());
                for (String m : d.now()) {
                    outputs.add(new MemberOutput(m, MemberStatus.OK, 0, 0.9f, List.of(), null, null, 1, 1, 10));
                }
            } else if (outcome instanceof PartPlanner.KeepPrevious) {
                log.add(head + "keep previous " + lastMembers);
                plan = plan(PlanAction.SERVE, lastMembers, finalOnly, replan.missing(), order.size());
            } else {
                throw new AssertionError("not in these scenarios: " + outcome);
            }
            RevisionDecider.Step next = revisions.next(plan, outputs, provisional, 10);
            if (next.kind() == RevisionDecider.Kind.PROVISIONAL) {
                provisional = next.result();
                log.add("aggregator: provisional r" + next.result().revision() + " " + next.result().variants()
                        + (next.emitted(plan) ? "" : " (held back)"));
            } else if (next.kind() == RevisionDecider.Kind.FINAL) {
                log.add("aggregator: final r" + next.result().revision() + " " + next.result().status() + " "
                        + next.result().variants());
            }
        }
        return log;
    }

    private static PlanView plan(PlanAction action, List<String> members, boolean finalOnly, int missing, int count) {
        return new PlanView("r", action, null, members, VoteMethod.PASS_THROUGH, 0f, "infaas", 0, 0, 0, DEADLINE_MS,
                finalOnly, missing, count);
    }

    private static void assertEveryRequest(List<String> expected, Map<String, List<String>> log) {
        log.forEach((id, steps) -> assertEquals(expected, steps, id));
    }

    /**
     * The selector drops a part read after its request's deadline; the run ends at the last
     * request's answer, so that request's late part is never read.
     */
    private static void assertLateParts(List<String> expected, Map<String, List<String>> log) {
        List<String> ids = new ArrayList<>(log.keySet());
        for (int i = 0; i < ids.size(); i++) {
            List<String> steps = new ArrayList<>(expected);
            if (i < ids.size() - 1) {
                steps.add("part 1: late, dropped");
            }
            assertEquals(steps, log.get(ids.get(i)), ids.get(i));
        }
        assertTrue(ids.size() > 1, ids.toString());
    }

    @Test
    void speculationAnswersFromTheImageThenTheFusionAnswersFinally() {
        Map<String, List<String>> log = run("image,audio", 40, true, 0.93);
        List<String> expected = reference(List.of(List.of("image"), List.of("audio")), true, 0.93, true);
        // as SelectorPartsTest.partsArePlannedAsTheyArriveAndTheLastPlanIsFinal: img below the floor first, then fuse
        assertEquals(List.of(
                "part 0: replan r0, 1 missing: dispatch [img], plan [img]",
                "aggregator: provisional r0 [img]",
                "part 1: replan r1, 0 missing: dispatch [fuse], plan [fuse]",
                "aggregator: final r1 OK [fuse]"), expected);
        assertEveryRequest(expected, log);
    }

    @Test
    void withoutSpeculationThePartsAreHeldAndOnlyTheFinalAnswerIsSent() {
        Map<String, List<String>> log = run("image,audio", 40, false, 0.93);
        List<String> expected = reference(List.of(List.of("image"), List.of("audio")), false, 0.93, true);
        // as SelectorPartsTest.withoutSpeculationPartsAreHeldUntilTheLast: an announcement without members, then fuse
        assertEquals(List.of(
                "part 0: hold, 1 missing, announced",
                "part 1: replan r1, 0 missing: dispatch [fuse], plan [fuse]",
                "aggregator: final r0 OK [fuse]"), expected);
        assertEveryRequest(expected, log);
    }

    @Test
    void aReplanThatKeepsItsMemberDoesNotRunItAgain() {
        Map<String, List<String>> log = run("image,audio", 40, true, 0.85);
        List<String> expected = reference(List.of(List.of("image"), List.of("audio")), true, 0.85, true);
        // as SelectorPartsTest.aReplanThatKeepsAMemberDoesNotRunItAgain: img both times, one task
        assertEquals(List.of(
                "part 0: replan r0, 1 missing: dispatch [img], plan [img]",
                "aggregator: provisional r0 [img]",
                "part 1: replan r1, 0 missing: dispatch [], plan [img]",
                "aggregator: final r1 OK [img]"), expected);
        assertEveryRequest(expected, log);
    }

    @Test
    void theAudioCanComeFirst() {
        Map<String, List<String>> log = run("audio,image", 40, true, 0.93);
        List<String> expected = reference(List.of(List.of("audio"), List.of("image")), true, 0.93, true);
        // as SelectorPartsTest.theAudioCanArriveFirst: aud, then fuse
        assertEquals("part 0: replan r0, 1 missing: dispatch [aud], plan [aud]", expected.get(0));
        assertEquals("part 1: replan r1, 0 missing: dispatch [fuse], plan [fuse]", expected.get(2));
        assertEveryRequest(expected, log);
    }

    @Test
    void aLastPartAfterTheDeadlineLeavesTheProvisionalAnswerFinal() {
        Map<String, List<String>> log = run("image,audio", 1_000, true, 0.93);
        List<String> expected = new ArrayList<>(reference(List.of(List.of("image"), List.of("audio")), true, 0.93, false));
        // RevisionDecider: at the deadline with parts missing, the answer from the parts present is final
        assertEquals(List.of(
                "part 0: replan r0, 1 missing: dispatch [img], plan [img]",
                "aggregator: provisional r0 [img]",
                "aggregator: final r1 OK [img]"), expected);
        assertLateParts(expected, log);
    }

    @Test
    void heldPartsThatNeverAllComeEndDeadlineExceeded() {
        Map<String, List<String>> log = run("image,audio", 1_000, false, 0.93);
        List<String> expected = new ArrayList<>(reference(List.of(List.of("image"), List.of("audio")), false, 0.93, false));
        assertEquals(List.of("part 0: hold, 1 missing, announced", "aggregator: final r0 DEADLINE_EXCEEDED []"), expected);
        assertLateParts(expected, log);
    }

    @Test
    void theCountsAddUp() {
        SimConfig c = SimConfig.of(SPOKEN, RateTrace.steady(20), 20, 5, DEADLINE_MS, List.of(0.93),
                Map.of("img", 1, "aud", 1, "fuse", 1));
        SimEnvironment env = SimEnvironment.NONE.withParts(SimParts.parse("image,audio", "exp:40", true, null));
        RunResult r = new Simulation(c, CATALOG, HopLatencies.constant(1), env, "infaas", 3).run(null);
        PartsResult p = r.parts();
        assertEquals(r.sent(), p.requests());
        assertEquals(p.requests(), p.finals(), "one final answer per request");
        assertEquals(2 * p.requests(), p.plans(), "a plan per part");
        assertEquals(p.requests(), p.provisionalPlans());
        assertEquals(p.provisionalAnswers(), p.revised(), "every provisional answer is revised by the final one");
        assertTrue(p.corrected() <= p.revised());
        assertEquals(0, p.held());
        assertTrue(p.firstMs().get("p50") < p.finalMs().get("p50"), p.firstMs() + " vs " + p.finalMs());
        // the same seed repeats exactly
        RunResult again = new Simulation(c, CATALOG, HopLatencies.constant(1), env, "infaas", 3).run(null);
        assertEquals(p, again.parts());
    }

    @Test
    void aFinalOnlyClientGetsNoProvisionalAnswerThoughOneIsDecided() {
        SimConfig c = SimConfig.of(SPOKEN, RateTrace.steady(1), 1, 3, DEADLINE_MS, List.of(0.93),
                Map.of("img", 1, "aud", 1, "fuse", 1)).withEvenArrivals();
        SimEnvironment env = SimEnvironment.NONE.withParts(SimParts.parse("image,audio", "40", true, true));
        Simulation sim = new Simulation(c, CATALOG, HopLatencies.constant(1), env, "infaas", 1);
        Map<String, List<String>> log = new LinkedHashMap<>();
        sim.traceParts((id, what) -> log.computeIfAbsent(id, k -> new ArrayList<>()).add(labelFree(what)));
        PartsResult p = sim.run(null).parts();
        // RevisionDecider: the provisional answer is kept but not sent, and the final one is numbered 0
        assertEveryRequest(List.of(
                "part 0: replan r0, 1 missing: dispatch [img], plan [img]",
                "aggregator: provisional r0 [img] (held back)",
                "part 1: replan r1, 0 missing: dispatch [fuse], plan [fuse]",
                "aggregator: final r0 OK [fuse]"), log);
        assertEquals(0, p.provisionalAnswers());
        assertEquals(p.requests(), p.provisionalHeldBack());
        assertEquals(0, p.revised());
        assertEquals(p.firstMs(), p.finalMs(), "the final answer is the first the client sees");
    }

    @Test
    void wholeRequestsReportNoParts() {
        SimConfig c = SimConfig.of(SPOKEN, RateTrace.steady(5), 5, 2, DEADLINE_MS, List.of(0.93),
                Map.of("img", 1, "aud", 1, "fuse", 1));
        assertNull(new Simulation(c, CATALOG, HopLatencies.constant(1), "infaas", 1).run(null).parts());
    }

    @Test
    void partsMustBeModalitiesOfTheTask() {
        assertThrows(IllegalArgumentException.class, () -> SimParts.parse("image", "500", true, null), "one part");
        assertThrows(IllegalArgumentException.class, () -> SimParts.parse("image,image", "500", true, null));
        assertThrows(IllegalArgumentException.class, () -> SimParts.Gap.parse("normal:3"));
        SimConfig c = SimConfig.of(SPOKEN, RateTrace.steady(5), 5, 2, DEADLINE_MS, List.of(0.93), Map.of("img", 1));
        SimEnvironment env = SimEnvironment.NONE.withParts(SimParts.parse("image,video", "500", true, null));
        assertThrows(IllegalArgumentException.class, () -> new Simulation(c, CATALOG, HopLatencies.constant(1), env,
                "infaas", 1));
        assertEquals(new SimParts.Gap("uniform", 10, 20), SimParts.Gap.parse("uniform:10:20"));
        assertEquals(new SimParts.Gap("fixed", 500, 500), SimParts.Gap.parse("500"));
        assertFalse(SimParts.parse("image,audio", "500", true, null).finalOnly(), "speculative: provisional answers sent");
        assertTrue(SimParts.parse("image,audio", "500", false, null).finalOnly(), "held: as bench multimodal, final only");
    }
}
