package dev.sluice.decision.equivalence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Substitute;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SubstitutesTest {
    private final Substitutes subs = Substitutes.of(List.of(new Substitute("vgg-tta", "vgg", 0.97),
            new Substitute("vgg-tta", "cnn-distilled", 0.95), new Substitute("vgg-tta", "vgg-b", 0.97),
            new Substitute("vgg", "cnn-distilled", 0.955)));

    @Test
    void substitutesComeMostAgreeingFirstTiesByName() {
        assertEquals(List.of("vgg", "vgg-b", "cnn-distilled"), subs.of("vgg-tta"));
        assertEquals(List.of("cnn-distilled"), subs.of("vgg"));
        assertEquals(List.of(), subs.of("linear"));
        assertEquals(Optional.of(0.955), subs.agreement("vgg", "cnn-distilled"));
        assertEquals(Optional.empty(), subs.agreement("cnn-distilled", "vgg"), "substitution is one way: cheaper for costlier");
        assertTrue(subs.isSubstitute("vgg-tta", "vgg-b"));
        assertFalse(Substitutes.NONE.isSubstitute("vgg-tta", "vgg-b"));
        assertTrue(Substitutes.NONE.isEmpty());
    }

    @Test
    void substitutesFirstKeepsTheRestInOrderAndOnlyWhatWasOffered() {
        assertEquals(List.of("vgg", "cnn-distilled", "mlp", "linear"),
                subs.substitutesFirst("vgg-tta", List.of("mlp", "cnn-distilled", "linear", "vgg")));
        assertEquals(List.of("mlp", "linear"), subs.substitutesFirst("vgg-tta", List.of("mlp", "linear")));
        assertEquals(List.of("mlp", "linear"), Substitutes.NONE.substitutesFirst("vgg-tta", List.of("mlp", "linear")));
    }

    @Test
    void mostAgreeingPicksAmongTheCandidatesGiven() {
        assertEquals(Optional.of("vgg-b"), subs.mostAgreeing("vgg-tta", List.of("cnn-distilled", "vgg-b", "mlp"), s -> s));
        assertEquals(Optional.empty(), subs.mostAgreeing("vgg-tta", List.of("mlp", "linear"), s -> s));
    }
}
