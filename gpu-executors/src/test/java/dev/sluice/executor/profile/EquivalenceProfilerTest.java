package dev.sluice.executor.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.models.Substitute;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EquivalenceProfilerTest {
    /** One-hot outputs over 3 classes giving {@code labels}. */
    static EnsembleProfiler.MemberOutputs member(String id, int... labels) {
        float[] p = new float[labels.length * 3];
        for (int i = 0; i < labels.length; i++) {
            p[i * 3 + labels[i]] = 1f;
        }
        return new EnsembleProfiler.MemberOutputs(id, 3, p);
    }

    @Test
    void measuresEveryPairAgainstEachOtherAndTheTruth() {
        int[] truth = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
        var big = member("big", 0, 1, 2, 0, 1, 2, 0, 1, 2, 1);   // 9/10 right
        var small = member("small", 0, 1, 2, 0, 1, 2, 0, 1, 0, 1); // 8/10, agrees with big on 9
        var odd = member("odd", 1, 1, 2, 0, 1, 2, 2, 2, 0, 2);   // 5/10
        List<EquivalenceProfiler.Pair> pairs = EquivalenceProfiler.measure(List.of(big, small, odd), truth);
        assertEquals(3, pairs.size());
        EquivalenceProfiler.Pair bs = pairs.get(0);
        assertEquals(new EquivalenceProfiler.Pair("big", "small", 0.9, 0.8, 0.1, 0.0, 0.1, 0.1), bs);
        assertEquals("odd", pairs.get(1).b());
        assertEquals(0.5, pairs.get(1).agreement(), 1e-12);
        assertEquals(0.6, pairs.get(2).agreement(), 1e-12);

        Map<String, Double> cost = Map.of("big", 1.0, "small", 0.1, "odd", 0.01);
        assertEquals(List.of(new Substitute("big", "small", 0.9)), EquivalenceProfiler.substitutes(pairs, 0.9, cost::get));
        assertEquals(List.of(new Substitute("big", "small", 0.9), new Substitute("big", "odd", 0.5),
                new Substitute("small", "odd", 0.6)), EquivalenceProfiler.substitutes(pairs, 0.5, cost::get),
                "by variant in the pairs' order, the most agreeing first");
        assertEquals(List.of(), EquivalenceProfiler.substitutes(pairs, 0.95, cost::get));
        assertEquals(List.of(), EquivalenceProfiler.substitutes(pairs, 0.5, id -> 1.0), "equal cost: no substitute");
        assertThrows(IllegalArgumentException.class, () -> EquivalenceProfiler.substitutes(pairs, 0, cost::get));
        assertThrows(IllegalArgumentException.class, () -> EquivalenceProfiler.measure(List.of(big), new int[] {0}));
    }
}
