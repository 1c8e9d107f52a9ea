package dev.sluice.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void eachTenantHasItsOwnRequestAndResultTopicAndNoTenantNameOverlapsAnother() {
        Topics t = Topics.prefixed("team-a.", "team-a.");
        assertEquals("team-a.sluice.requests.acme", t.tenantRequests("acme"));
        assertEquals("team-a.sluice.results.acme", t.tenantResults("acme"));
        assertEquals("acme", t.tenantOfRequests("team-a.sluice.requests.acme"));
        assertEquals(null, t.tenantOfRequests("team-a.sluice.requests"));
        assertEquals(null, t.tenantOfRequests("team-a.sluice.requests.json"));
        assertEquals(null, t.tenantOfRequests("sluice.requests.acme"), "another deployment's topic");
        var p = t.requestTopics();
        for (String yes : java.util.List.of("team-a.sluice.requests", "team-a.sluice.requests.acme", "team-a.sluice.requests.b_2")) {
            assertTrue(p.matcher(yes).matches(), yes);
        }
        for (String no : java.util.List.of("team-a.sluice.requests.json", "team-aXsluice.requests", "sluice.requests",
                "team-a.sluice.requests.a.b", "team-a.sluice.requests.A", "team-a.sluice.requests-x")) {
            assertFalse(p.matcher(no).matches(), no);
        }
        for (String bad : java.util.List.of("json", "a.b", "a-b", "", "Acme", "x".repeat(49))) {
            assertThrows(IllegalArgumentException.class, () -> t.tenantResults(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> t.tenantRequests(bad), bad);
        }
    }
}
