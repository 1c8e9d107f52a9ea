package dev.sluice.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest {
    private static List<String> all(Topics t) {
        return List.of(t.requests(), t.requestsJson(), t.plans(), t.tasks("vgg"), t.partials(), t.results(),
                t.resultsJson(), t.executorStatus(), t.catalog(), t.feedback(), t.dlq(), t.cancellations());
    }

    @Test
    void theDefaultNamesAreTheUnprefixedOnes() {
        assertEquals(List.of("sluice.requests", "sluice.requests.json", "sluice.plans", "sluice.tasks.vgg",
                "sluice.partials", "sluice.results", "sluice.results.json", "sluice.executor-status", "sluice.catalog",
                "sluice.feedback", "sluice.dlq", "sluice.cancellations"), all(Topics.DEFAULT));
        assertEquals("sluice-selector", Topics.DEFAULT.group("sluice-selector"));
        assertEquals(Topics.DEFAULT, Topics.prefixed("", ""));
    }

    @Test
    void aPrefixGoesBeforeEveryTopicAndTheGroupPrefixBeforeEveryGroup() {
        Topics t = Topics.prefixed("team-a.", "ga_");
        List<String> names = all(t);
        for (int i = 0; i < names.size(); i++) {
            assertEquals("team-a." + all(Topics.DEFAULT).get(i), names.get(i));
        }
        assertEquals("team-a.sluice.tasks.", t.tasksPrefix());
        assertEquals("ga_sluice-aggregator", t.group("sluice-aggregator"));
    }

    @Test
    void aPrefixKafkaWouldRefuseIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Topics.prefixed("team a", ""));
        assertTrue(e.getMessage().contains("topic prefix 'team a'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Topics.prefixed("", "g/1"));
        assertTrue(e.getMessage().contains("group prefix 'g/1'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Topics.prefixed("x".repeat(101), ""));
    }
}
