package dev.sluice.decision.vote;

import dev.sluice.decision.VariantViews;
import static dev.sluice.decision.vote.MemberFixtures.T0;
import static dev.sluice.decision.vote.MemberFixtures.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelfConsistencyVoterTest {
    private static final int VIEWS = 6;
    private final SelfConsistencyVoter voter = new SelfConsistencyVoter(3, 0.8f);

    /** Views 0.. of "vgg" with the given labels. */
    private static List<MemberOutput> views(int... labels) {
        List<MemberOutput> out = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            out.add(ok(VariantViews.view("vgg", i), labels[i], 0.7f, T0));
        }
        return out;
    }

    /** The views not yet reported, of {@value #VIEWS}. */
    private static List<String> outstanding(int reported) {
        List<String> out = new ArrayList<>();
        for (int i = reported; i < VIEWS; i++) {
            out.add(VariantViews.view("vgg", i));
        }
        return out;
    }

    private boolean settled(float earlyConfidence, int... labels) {
        return voter.isSettled(views(labels), outstanding(labels.length), earlyConfidence);
    }

    @Test
    void theMajorityWinsWithItsShareAsConfidence() {
        VoteOutcome v = voter.vote(views(4, 4, 1, 4, 1, 4));
        assertEquals(4, v.label());
        assertEquals(4f / 6, v.confidence());
        assertEquals(6, v.votes().size());
        assertEquals("vgg#view5", v.votes().get(5).member());
    }

    @Test
    void stopsOnceTheMarginCannotBeOverturned() {
        assertTrue(settled(0, 4, 4, 4, 4));         // 4 > 0 + 2 outstanding
        assertTrue(settled(0, 4, 4, 4, 1, 4));      // 4 > 1 + 1
        assertTrue(settled(0, 4, 1, 4, 1, 4, 1));   // nothing outstanding
    }

    @Test
    void stopsOnceTheLeadersSharePassesTheThresholdAfterEnoughViews() {
        assertTrue(settled(0, 4, 4, 4));            // 3 of 3 = 1.0 >= 0.8 with 3 views, though margin 3 !> 3
        SelfConsistencyVoter lenient = new SelfConsistencyVoter(3, 0.6f);
        assertTrue(lenient.isSettled(views(4, 1, 4), outstanding(3), 0));  // 2 of 3 >= 0.6
    }

    @Test
    void waitsOtherwise() {
        assertFalse(settled(0, 4, 4));              // fewer than 3 views; 2 !> 4 outstanding
        assertFalse(settled(0, 4, 4, 1, 4));        // 3 of 4 = 0.75 < 0.8; 3 !> 1 + 2
        assertFalse(settled(0, 4, 1, 4));
        assertFalse(voter.isSettled(List.of(), outstanding(0), 0));
    }

    @Test
    void thePlansEarlyConfidenceReplacesTheShareThreshold() {
        assertTrue(settled(0.7f, 4, 4, 1, 4));      // 0.75 >= 0.7
        assertFalse(settled(0.95f, 4, 4, 1, 4));    // 0.75 < 0.95; 3 !> 1 + 2
        assertTrue(settled(0.95f, 4, 4, 4));        // 1.0 >= 0.95
    }

    @Test
    void viewIdsNameTheirVariant() {
        assertEquals("vgg#view3", VariantViews.view("vgg", 3));
        assertEquals("vgg", VariantViews.baseOf("vgg#view3"));
        assertEquals("vgg", VariantViews.baseOf("vgg"));
        assertThrows(IllegalArgumentException.class, () -> VariantViews.view("vgg", -1));
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new SelfConsistencyVoter(0, 0.8f));
        assertThrows(IllegalArgumentException.class, () -> new SelfConsistencyVoter(3, 0f));
        assertThrows(IllegalArgumentException.class, () -> voter.vote(List.of()));
    }
}
