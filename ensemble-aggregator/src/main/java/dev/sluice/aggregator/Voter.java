package dev.sluice.aggregator;

import dev.sluice.avro.ModelOutput;
import java.util.List;

/** Combines the OK outputs of one request's members into one answer. Pure: no clock, no I/O. */
public interface Voter {
    /**
     * @param okOutputs outputs with status OK, at most one per variant, at least one
     * @throws IllegalArgumentException when the outputs do not suit this voter
     */
    VoteOutcome vote(List<ModelOutput> okOutputs);
}
