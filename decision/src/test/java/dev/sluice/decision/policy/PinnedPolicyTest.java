package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.LadderFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PinnedPolicyTest {
    private Selection decide(String name) {
        return PinnedPolicy.parse(name).decide(request("r", T0, 100, 0), LadderFixtures.ladder(), LoadSnapshot.IDLE, T0);
    }

    @Test
    void fixedNamesItsMembersAndOptionalVote() {
        Selection one = decide("fixed:vgg");
        assertEquals(List.of("vgg"), one.variants());
        Selection three = decide("fixed:mlp+vgg+vgg-tta:probability_average");
        assertEquals(List.of("mlp", "vgg", "vgg-tta"), three.variants());
        assertEquals("PROBABILITY_AVERAGE", three.vote());
    }

    @Test
    void selfConsistencyNamesOneMemberPerView() {
        Selection s = decide("self-consistency:vgg:4");
        assertEquals(List.of("vgg#view0", "vgg#view1", "vgg#view2", "vgg#view3"), s.variants());
        assertEquals("SELF_CONSISTENCY", s.vote());
    }

    @Test
    void cascadeNamesItsStagesAndThreshold() {
        Selection s = decide("cascade:cnn-small>vgg-tta@0.9");
        assertTrue(s.isCascade());
        assertEquals(List.of("cnn-small", "vgg-tta"), s.variants());
        assertEquals(0.9, s.escalateBelow());
    }

    @Test
    void unknownVariantsAreRejectedWithTheName() {
        Selection s = decide("fixed:vgg+resnet");
        assertFalse(s.serve());
        assertTrue(s.reason().contains("'resnet'"), s.reason());
    }

    @Test
    void malformedNamesFailWithWhatToWrite() {
        for (String bad : List.of("fixed:", "fixed:vgg:nonsense", "self-consistency:vgg", "self-consistency:vgg:0",
                "cascade:vgg", "cascade:vgg@0.9", "cascade:mlp>vgg@1.5")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PinnedPolicy.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("bad policy '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void theRegistryResolvesPinnedNamesAndExplainsBadOnes() {
        Policies p = new Policies(10);
        assertTrue(p.has("fixed:vgg"));
        assertTrue(p.has("cascade"));
        assertFalse(p.has("cascade:vgg"));
        assertTrue(p.whyUnknown("cascade:vgg").contains("want cascade:"), p.whyUnknown("cascade:vgg"));
        assertTrue(p.whyUnknown("random").contains("unknown policy 'random'"));
        assertEquals(p.get("fixed:vgg"), p.get("fixed:vgg"), "parsed once, then cached");
    }
}
