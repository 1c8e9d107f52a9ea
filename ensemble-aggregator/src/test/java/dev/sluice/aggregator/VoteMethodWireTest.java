package dev.sluice.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Decisions name vote methods with the plain enum; the wire carries the Avro one. They must agree. */
class VoteMethodWireTest {
    @Test
    void decisionAndAvroVoteMethodsHaveTheSameSymbols() {
        assertEquals(
                Arrays.stream(dev.sluice.avro.VoteMethod.values()).map(Enum::name).toList(),
                Arrays.stream(dev.sluice.decision.vote.VoteMethod.values()).map(Enum::name).toList());
    }
}
