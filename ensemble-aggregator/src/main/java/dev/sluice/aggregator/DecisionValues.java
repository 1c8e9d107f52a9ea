package dev.sluice.aggregator;

import dev.sluice.avro.InferenceResult;
import dev.sluice.avro.ModelOutput;
import dev.sluice.avro.Plan;
import dev.sluice.avro.ResultStatus;
import dev.sluice.avro.StageLatency;
import dev.sluice.avro.Tensor;
import dev.sluice.avro.Vote;
import dev.sluice.decision.aggregate.DefaultAnswer;
import dev.sluice.decision.aggregate.FallbackRun;
import dev.sluice.decision.aggregate.PlanAction;
import dev.sluice.decision.aggregate.PlanView;
import dev.sluice.decision.aggregate.RequestResult;
import dev.sluice.decision.aggregate.RequestStatus;
import dev.sluice.decision.aggregate.StageTimes;
import dev.sluice.decision.vote.Ballot;
import dev.sluice.decision.vote.MemberOutput;
import dev.sluice.decision.vote.MemberStatus;
import dev.sluice.decision.vote.OutputTensor;
import dev.sluice.decision.vote.VoteMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * The aggregator's Avro records as the decision module's plain values, and its results back:
 * field for field, no decision of its own. Enums map by symbol (a test keeps the pairs in step).
 */
final class DecisionValues {
    private DecisionValues() {}

    static PlanView plan(Plan p) {
        return new PlanView(p.getRequestId(), PlanAction.valueOf(p.getDecision().name()), p.getReason(), p.getVariants(),
                VoteMethod.valueOf(p.getVote().name()), p.getEarlyConfidence(), p.getPolicy(), p.getCreatedAtMs(),
                p.getReceivedAtMs(), p.getPlannedAtMs(), p.getDeadlineMs(), p.getFinalOnly(), p.getPartsMissing(),
                p.getPartCount(), defaultAnswer(p.getDeadlineDefault()), fallback(p.getFallbackRun()), p.getOutputs());
    }

    static FallbackRun fallback(dev.sluice.avro.FallbackRun f) {
        return f == null ? null : new FallbackRun(f.getVariant(), f.getAccuracy());
    }

    static OutputTensor tensor(Tensor t) {
        java.nio.ByteBuffer b = t.getData().duplicate();
        byte[] data = new byte[b.remaining()];
        b.get(data);
        return new OutputTensor(t.getName(), t.getDatatype(), t.getShape(), data);
    }

    static Tensor tensor(OutputTensor t) {
        return new Tensor(t.name(), t.datatype(), t.shape(), java.nio.ByteBuffer.wrap(t.data()), java.util.Map.of());
    }

    static DefaultAnswer defaultAnswer(dev.sluice.avro.CachedAnswer c) {
        return c == null ? null : new DefaultAnswer(c.getLabel(), c.getConfidence(), c.getVariants(), c.getAccuracy(),
                c.getSource());
    }

    static MemberOutput output(ModelOutput o) {
        return new MemberOutput(o.getVariant(), MemberStatus.valueOf(o.getStatus().name()), o.getLabel(), o.getConfidence(),
                o.getProbabilities(), o.getReason(), o.getEscalatedTo(), o.getQueueMs(), o.getComputeMs(),
                o.getCompletedAtMs(), o.getOutputs().stream().map(DecisionValues::tensor).toList());
    }

    static List<MemberOutput> outputs(List<ModelOutput> outputs) {
        List<MemberOutput> out = new ArrayList<>(outputs.size());
        outputs.forEach(o -> out.add(output(o)));
        return out;
    }

    static List<Ballot> ballots(List<Vote> votes) {
        List<Ballot> out = new ArrayList<>(votes.size());
        votes.forEach(v -> out.add(new Ballot(v.getVariant(), v.getLabel(), v.getConfidence())));
        return out;
    }

    static List<Vote> votes(List<Ballot> ballots) {
        List<Vote> out = new ArrayList<>(ballots.size());
        ballots.forEach(b -> out.add(new Vote(b.member(), b.label(), b.confidence())));
        return out;
    }

    static InferenceResult result(RequestResult r) {
        return result(r, "");
    }

    /** The result on the wire, naming the task its request named and the outputs it asked for (the plan's). */
    static InferenceResult result(RequestResult r, Plan plan) {
        InferenceResult out = result(r, plan.getTask());
        out.setRequestedOutputs(plan.getOutputs());
        return out;
    }

    /** The result on the wire, naming the task its request named. */
    static InferenceResult result(RequestResult r, String task) {
        StageTimes t = r.latency();
        return InferenceResult.newBuilder()
                .setRequestId(r.requestId())
                .setStatus(ResultStatus.valueOf(r.status().name()))
                .setRevision(r.revision())
                .setFinal$(r.isFinal())
                .setLabel(r.label())
                .setConfidence(r.confidence())
                .setVariants(r.variants())
                .setVotes(votes(r.votes()))
                .setLatency(new StageLatency(t.ingestMs(), t.selectMs(), t.queueMs(), t.computeMs(), t.aggregateMs(),
                        t.totalMs()))
                .setReason(r.reason())
                .setPolicy(r.policy())
                .setCreatedAtMs(r.createdAtMs())
                .setDeadlineMs(r.deadlineMs())
                .setCompletedAtMs(r.completedAtMs())
                .setProbabilities(r.probabilities())
                .setTask(task == null ? "" : task)
                .setDefaultAnswer(r.defaultAnswer())
                .setOutputs(r.outputs().stream().map(DecisionValues::tensor).toList())
                .build();
    }

    /**
     * The final answer of a plan the selector's prediction cache answered: its cached label and
     * confidence, the variants that produced it, no votes (nothing ran, so nothing to learn from),
     * flagged {@code cached}. The stages: ingest and select as for any plan, the rest in aggregate.
     */
    static InferenceResult cachedResult(Plan p, long nowMs) {
        dev.sluice.avro.CachedAnswer c = p.getCached();
        return InferenceResult.newBuilder()
                .setRequestId(p.getRequestId())
                .setStatus(ResultStatus.OK)
                .setRevision(p.getRevision())
                .setFinal$(true)
                .setLabel(c.getLabel())
                .setConfidence(c.getConfidence())
                .setVariants(c.getVariants())
                .setVotes(List.of())
                .setLatency(new StageLatency((double) (p.getReceivedAtMs() - p.getCreatedAtMs()),
                        (double) (p.getPlannedAtMs() - p.getReceivedAtMs()), 0.0, 0.0, (double) (nowMs - p.getPlannedAtMs()),
                        (double) (nowMs - p.getCreatedAtMs())))
                .setReason(String.format("answered from the prediction cache: %s (accuracy %.4f) answered the same inputs",
                        String.join("+", c.getVariants()), c.getAccuracy()))
                .setPolicy(p.getPolicy())
                .setCreatedAtMs(p.getCreatedAtMs())
                .setDeadlineMs(p.getDeadlineMs())
                .setCompletedAtMs(nowMs)
                .setTask(p.getTask())
                .setRequestedOutputs(p.getOutputs())
                .setCached(true)
                .build();
    }

    /** A result read back from the store (a kept provisional answer); null stays null. */
    static RequestResult result(InferenceResult r) {
        if (r == null) {
            return null;
        }
        StageLatency l = r.getLatency();
        return new RequestResult(r.getRequestId(), RequestStatus.valueOf(r.getStatus().name()), r.getRevision(),
                r.getFinal$(), r.getLabel(), r.getConfidence(), r.getVariants(), ballots(r.getVotes()),
                new StageTimes(l.getIngestMs(), l.getSelectMs(), l.getQueueMs(), l.getComputeMs(), l.getAggregateMs(),
                        l.getTotalMs()),
                r.getReason(), r.getPolicy(), r.getCreatedAtMs(), r.getDeadlineMs(), r.getCompletedAtMs(),
                r.getProbabilities(), r.getDefaultAnswer(), r.getOutputs().stream().map(DecisionValues::tensor).toList());
    }
}
