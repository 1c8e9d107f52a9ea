package dev.sluice.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicasTest {
    private static final Catalog ZOO = SimFixtures.zoo();

    @Test
    void perVariant() {
        Map<String, Integer> r = Replicas.parse("3", ZOO, "fashion-mnist");
        assertEquals(8, r.size());
        assertTrue(r.values().stream().allMatch(n -> n == 3));
    }

    @Test
    void aTotalIsSpreadByCostAndAddsUp() {
        Map<String, Integer> r = Replicas.parse("total=1000", ZOO, "fashion-mnist");
        assertEquals(1000, r.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(r.values().stream().allMatch(n -> n >= 1));
        // the TTA variants cost most per request, linear least
        assertTrue(r.get("vgg-tta") > r.get("vgg") && r.get("vgg") > r.get("linear"), r.toString());
    }

    @Test
    void explicit() {
        assertEquals(Map.of("vgg", 4, "linear", 1), Replicas.parse("vgg=4,linear=1", ZOO, "fashion-mnist"));
        assertThrows(IllegalArgumentException.class, () -> Replicas.parse("nope=1", ZOO, "fashion-mnist"));
        assertThrows(IllegalArgumentException.class, () -> Replicas.parse("total=3", ZOO, "fashion-mnist"));
    }
}
