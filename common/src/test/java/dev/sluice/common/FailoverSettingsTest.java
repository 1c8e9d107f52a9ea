package dev.sluice.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.junit.jupiter.api.Test;

class FailoverSettingsTest {
    @Test
    void streamsAppsGetStaticMembershipShortSessionsAndForStatefulOnesStandbys() {
        Properties p = FailoverSettings.defaults("aggregator-0").applyToStreams(new Properties(), true);
        assertEquals("aggregator-0", p.get("main.consumer.group.instance.id"));
        assertEquals(3_000, p.get("main.consumer.session.timeout.ms"));
        assertEquals(1_000, p.get("main.consumer.heartbeat.interval.ms"));
        assertEquals(3_000, p.get("producer.transaction.timeout.ms"));
        assertEquals(1, p.get("num.standby.replicas"));
        assertEquals(1_000L, p.get("acceptable.recovery.lag"));

        Properties stateless = FailoverSettings.defaults("selector-0").applyToStreams(new Properties(), false);
        assertFalse(stateless.containsKey("num.standby.replicas"));
    }

    @Test
    void whatTheCallerSetWins() {
        Properties p = new Properties();
        p.put("main.consumer.session.timeout.ms", 30_000);
        FailoverSettings.defaults("a").applyToStreams(p, true);
        assertEquals(30_000, p.get("main.consumer.session.timeout.ms"));
    }

    @Test
    void aSessionBelowTheBrokersMinimumIsRaisedToIt() {
        FailoverSettings f = FailoverSettings.defaults("selector-0");
        assertEquals(f, f.fitToBroker(1_000), "3 s fits a broker whose minimum is 1 s");
        FailoverSettings raised = f.fitToBroker(6_000);
        assertEquals(Duration.ofSeconds(6), raised.sessionTimeout());
        assertEquals(Duration.ofSeconds(1), raised.heartbeatInterval(), "1 s is below a third of 6 s");
        FailoverSettings tight = f.withSessionTimeout(Duration.ofMillis(900), Duration.ofMillis(800)).fitToBroker(1_200);
        assertEquals(Duration.ofMillis(1_200), tight.sessionTimeout());
        assertEquals(Duration.ofMillis(400), tight.heartbeatInterval());
    }

    @Test
    void noInstanceIdMeansDynamicMembership() {
        Properties p = FailoverSettings.defaults(null).applyToStreams(new Properties(), true);
        assertFalse(p.containsKey("main.consumer.group.instance.id"));
        assertEquals(FailoverSettings.defaults(""), FailoverSettings.defaults(null), "a blank id is none");
    }

    @Test
    void plainConsumersAreStaticAndCooperative() {
        Map<String, Object> c = new HashMap<>();
        FailoverSettings.defaults("executor-a").withSessionTimeout(Duration.ofSeconds(6), Duration.ofMillis(500))
                .applyToConsumer(c);
        assertEquals("executor-a", c.get("group.instance.id"));
        assertEquals(6_000, c.get("session.timeout.ms"));
        assertEquals(500, c.get("heartbeat.interval.ms"));
        assertEquals(CooperativeStickyAssignor.class.getName(), c.get("partition.assignment.strategy"));
    }

    @Test
    void kafkaDefaultsAreTheBeforeOfTheBenchmark() {
        FailoverSettings k = FailoverSettings.kafkaDefaults();
        assertEquals(null, k.instanceId());
        assertEquals(Duration.ofSeconds(45), k.sessionTimeout());
        assertEquals(0, k.standbyReplicas());
    }

    @Test
    void theHeartbeatMustBeShorterThanTheSession() {
        assertThrows(IllegalArgumentException.class, () -> FailoverSettings.defaults("a")
                .withSessionTimeout(Duration.ofSeconds(1), Duration.ofSeconds(1)));
    }
}
