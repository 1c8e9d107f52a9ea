package dev.sluice.decision.parts;

import dev.sluice.decision.policy.Selection;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The selector's rules for requests in several parts (same id, {@code part_count} above 1, e.g. an
 * image now and its audio later), apart from Kafka and Avro so that the selector and the
 * simulator apply the same ones:
 *
 * <ul>
 *   <li>a part seen before is ignored;
 *   <li>each part re-plans for the modalities present so far (speculation): every plan gets the
 *       next revision and says how many parts are still missing, and while any is, the plan is
 *       provisional: it may come from a variant up to {@link #PROVISIONAL_ACCURACY_SLACK} below the
 *       best the present modalities allow, even below the request's floor (its point is to be
 *       early; the final revision corrects it);
 *   <li>a client that asked not to speculate has its parts held until the last, and the first
 *       held part announces the request with a plan without members, so that the aggregator
 *       answers at the deadline if the rest never comes;
 *   <li>only members no earlier revision dispatched get a task (they run on the same inputs), and
 *       a cascade dispatches its first stage only;
 *   <li>a re-plan the policy rejects keeps the previous revision's members rather than withdraw an
 *       answer already on its way.
 * </ul>
 *
 * Stateless: the caller keeps what {@link SoFar} describes (the selector, in its parts store).
 */
public final class PartPlanner {
    /**
     * How far below the best accuracy the present parts allow a provisional answer may come from.
     * Half a point lets vgg (0.9341) answer in place of vgg-tta (0.9352) at an eighth of the compute.
     */
    public static final double PROVISIONAL_ACCURACY_SLACK = 0.005;

    private PartPlanner() {}

    /**
     * What the caller kept about a request after its earlier parts.
     *
     * @param partsSeen part indexes received
     * @param dispatched members some revision already dispatched
     * @param lastRevision the revision of the last plan sent, empty if none was
     * @param lastMembers the members of the last plan sent (empty: none, or a plan without members)
     */
    public record SoFar(List<Integer> partsSeen, List<String> dispatched, OptionalInt lastRevision, List<String> lastMembers) {
        public SoFar {
            partsSeen = List.copyOf(partsSeen);
            dispatched = List.copyOf(dispatched);
            lastMembers = List.copyOf(lastMembers);
        }
    }

    /** Whether part {@code partIndex} was received before ({@code soFar} null: this is the first part). */
    public static boolean isDuplicate(SoFar soFar, int partIndex) {
        return soFar != null && soFar.partsSeen().contains(partIndex);
    }

    /** The revision number of the plan after {@code last} (0 when none was sent). */
    public static int nextRevision(OptionalInt last) {
        return last.isPresent() ? last.getAsInt() + 1 : 0;
    }

    /** What to do with a new part (not a duplicate, consistent with the earlier ones). */
    public sealed interface Step permits Hold, Replan {}

    /**
     * Keep the parts until the last one arrives.
     *
     * @param missing parts still to come
     * @param announce whether to send the plan without members that tells the aggregator the
     *     request exists (only for the first part held)
     */
    public record Hold(int missing, boolean announce) implements Step {}

    /**
     * Plan now for the modalities present.
     *
     * @param revision this plan's revision
     * @param missing parts still to come; above 0 the plan is provisional
     */
    public record Replan(int revision, int missing) implements Step {
        public boolean provisional() {
            return missing > 0;
        }
    }

    /**
     * The step for a new part that makes {@code partsAfter} parts received of {@code partCount}.
     *
     * @param soFar what was kept before this part, null for the first part
     * @param speculate false when the client asked to hold the parts until the last
     */
    public static Step onPart(SoFar soFar, int partsAfter, int partCount, boolean speculate) {
        int missing = partCount - partsAfter;
        OptionalInt last = soFar == null ? OptionalInt.empty() : soFar.lastRevision();
        if (missing > 0 && !speculate) {
            return new Hold(missing, last.isEmpty());
        }
        return new Replan(nextRevision(last), missing);
    }

    /**
     * The floor a plan is chosen for: the request's, or for a provisional plan about the best the
     * present modalities allow ({@code bestPresent}, the most accurate profiled variant servable
     * with them) less the slack, whichever is lower.
     */
    public static double floor(double requested, boolean provisional, OptionalDouble bestPresent) {
        if (!provisional) {
            return requested;
        }
        return Math.min(requested, bestPresent.orElse(requested) - PROVISIONAL_ACCURACY_SLACK);
    }

    /**
     * The best accuracy the present parts allow: the most accurate profiled variant of
     * {@code task} in {@code servable} (the catalog cut to the modalities present); empty when
     * there is none. What {@link #floor} lowers a provisional plan's floor to.
     */
    public static OptionalDouble bestPresent(Catalog servable, String task) {
        return servable.forTask(task).stream().filter(Variant::isProfiled).mapToDouble(Variant::accuracy).max();
    }

    /** What the policy's decision means for a request's revision. */
    public sealed interface Outcome permits Dispatch, KeepPrevious, AwaitParts, Unchanged, Reject {}

    /**
     * Serve: send the plan and a task for each of {@code now}.
     *
     * @param now members to dispatch now (none dispatched before; a cascade's first stage only)
     * @param escalateTo a cascade's later stages, which the executor passes the request on to when unsure
     * @param dispatched every member dispatched for the request once these are
     */
    public record Dispatch(List<String> now, List<String> escalateTo, List<String> dispatched) implements Outcome {}

    /** The policy rejected a re-plan: re-send the previous revision's members as this revision, saying why. */
    public record KeepPrevious(String reason) implements Outcome {}

    /**
     * A provisional plan the policy could not serve, and no plan sent before: send a plan without
     * members (decision serve) so that the aggregator waits for the rest or the deadline.
     */
    public record AwaitParts(String reason) implements Outcome {}

    /** A provisional plan the policy could not serve after a plan without members: nothing new to send. */
    public record Unchanged() implements Outcome {}

    /** Rejected: the request is answered REJECTED with the policy's reason. */
    public record Reject(String reason) implements Outcome {}

    /**
     * What to send after the policy decided {@code s}.
     *
     * @param provisional whether parts are still missing
     * @param soFar what was kept before this part, null for a request in one part or its first part
     */
    public static Outcome afterDecision(Selection s, boolean provisional, SoFar soFar) {
        List<String> dispatched = soFar == null ? List.of() : soFar.dispatched();
        boolean planned = soFar != null && soFar.lastRevision().isPresent();
        if (!s.serve()) {
            if (planned && !soFar.lastMembers().isEmpty()) {
                return new KeepPrevious("re-plan rejected (" + s.reason() + "); revision " + soFar.lastRevision().getAsInt()
                        + "'s members stand");
            }
            if (provisional) {
                return planned ? new Unchanged() : new AwaitParts("no provisional answer: " + s.reason());
            }
            return new Reject(s.reason());
        }
        List<String> members = s.variants();
        List<String> stages = s.isCascade() ? members.subList(0, 1) : members;
        List<String> escalateTo = s.isCascade() ? members.subList(1, members.size()) : List.of();
        List<String> now = new ArrayList<>();
        List<String> all = new ArrayList<>(dispatched);
        for (String m : stages) {
            if (!all.contains(m)) { // an earlier revision already runs it on the same inputs
                now.add(m);
                all.add(m);
            }
        }
        return new Dispatch(List.copyOf(now), List.copyOf(escalateTo), List.copyOf(all));
    }

    /** Every member dispatched for the request once {@code outcome} is acted on. */
    public static List<String> dispatchedAfter(Outcome outcome, SoFar soFar) {
        if (outcome instanceof Dispatch d) {
            return d.dispatched();
        }
        return soFar == null ? List.of() : soFar.dispatched();
    }

    /**
     * What the caller keeps after part {@code partIndex} was held: the part is seen, and the
     * announcing plan (no members, the first revision) counts as the last plan sent.
     */
    public static SoFar afterHold(SoFar soFar, int partIndex, Hold hold) {
        List<Integer> seen = seenWith(soFar, partIndex);
        List<String> dispatched = soFar == null ? List.of() : soFar.dispatched();
        if (hold.announce()) {
            return new SoFar(seen, dispatched, OptionalInt.of(nextRevision(OptionalInt.empty())), List.of());
        }
        return new SoFar(seen, dispatched, soFar.lastRevision(), soFar.lastMembers());
    }

    /**
     * What the caller keeps after part {@code partIndex} was re-planned as {@code replan} and the
     * policy decided {@code s} with {@code outcome}: the plan sent is the last (its members: the
     * decision's for {@link Dispatch}, the previous revision's for {@link KeepPrevious}, none for
     * {@link AwaitParts} and {@link Reject}); {@link Unchanged} sends no plan and keeps the last.
     */
    public static SoFar afterReplan(SoFar soFar, int partIndex, Replan replan, Selection s, Outcome outcome) {
        List<Integer> seen = seenWith(soFar, partIndex);
        List<String> dispatched = dispatchedAfter(outcome, soFar);
        OptionalInt revision = OptionalInt.of(replan.revision());
        if (outcome instanceof Unchanged) {
            return new SoFar(seen, dispatched, soFar.lastRevision(), soFar.lastMembers());
        }
        List<String> members = outcome instanceof Dispatch ? s.variants()
                : outcome instanceof KeepPrevious ? soFar.lastMembers() : List.of();
        return new SoFar(seen, dispatched, revision, members);
    }

    private static List<Integer> seenWith(SoFar soFar, int partIndex) {
        List<Integer> seen = new ArrayList<>(soFar == null ? List.of() : soFar.partsSeen());
        seen.add(partIndex);
        return seen;
    }
}
