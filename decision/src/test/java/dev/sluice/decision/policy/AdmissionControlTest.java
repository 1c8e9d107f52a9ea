package dev.sluice.decision.policy;

import static dev.sluice.decision.policy.CatalogFixtures.T0;
import static dev.sluice.decision.policy.CatalogFixtures.TASK;
import static dev.sluice.decision.policy.LadderFixtures.ladder;
import static dev.sluice.decision.policy.LadderFixtures.queued;
import static dev.sluice.decision.policy.LadderFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Queue limit 256, one threshold step per 100 ms, threshold at most 3. Overhead 10 ms. */
class AdmissionControlTest {
    private final Catalog catalog = ladder();
    private final LatencyEstimator estimator = new LatencyEstimator(10);
    private final AdmissionControl.Config config = new AdmissionControl.Config(256, 100, 3);
    private final AdmissionControl admission = new AdmissionControl(new InfaasPolicy(estimator), estimator, config);

    private Selection decide(SelectionPolicy p, long nowMs, int priority, LoadSnapshot load) {
        return p.decide(request(nowMs, 100, 0, priority, null), catalog, load, nowMs);
    }

    @Test
    void withoutOverloadEveryPriorityIsServed() {
        Selection s = decide(admission, T0, 0, LoadSnapshot.IDLE);
        assertEquals(List.of("linear"), s.variants());
        assertEquals(0, admission.threshold(TASK));
        assertEquals("infaas", admission.name(), "admission wraps a policy, it is not another one");
    }

    @Test
    void aLongQueueShedsTheLowestPrioritiesFirstAndExplainsWhy() {
        LoadSnapshot busy = queued("linear", 300, "mlp", 40);
        Selection low = decide(admission, T0, 0, busy);
        assertFalse(low.serve());
        assertEquals("overload: priority 0 below admission threshold 1, queue 340", low.reason());
        assertTrue(decide(admission, T0 + 1, 1, busy).serve(), "priority 1 meets threshold 1");
    }

    @Test
    void theThresholdRisesWithSustainedOverloadAndFallsWhenItClears() {
        LoadSnapshot busy = queued("linear", 300);
        List<Integer> levels = new ArrayList<>();
        for (long t = T0; t <= T0 + 500; t += 50) {
            decide(admission, t, 5, busy);
            levels.add(admission.threshold(TASK));
        }
        // one step per 100 ms, capped at 3
        assertEquals(List.of(1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3), levels);
        assertFalse(decide(admission, T0 + 600, 2, busy).serve());
        assertTrue(decide(admission, T0 + 601, 3, busy).serve());
        for (long t = T0 + 700; t <= T0 + 1_000; t += 100) {
            decide(admission, t, 0, LoadSnapshot.IDLE);
        }
        assertEquals(0, admission.threshold(TASK));
        assertTrue(decide(admission, T0 + 1_100, 0, LoadSnapshot.IDLE).serve());
    }

    @Test
    void aChoiceThatWouldMissTheDeadlineIsOverloadToo() {
        // fixed-high ignores deadlines: vgg-tta with 64 queued is predicted at 192 ms, 100 ms left
        AdmissionControl guarded = new AdmissionControl(FixedPolicy.high(), estimator, config);
        Selection s = decide(guarded, T0, 0, queued("vgg-tta", 64));
        assertFalse(s.serve());
        assertEquals("overload: priority 0 below admission threshold 1, queue 64, predicted 192.0 ms with 100.0 ms left",
                s.reason());
    }

    @Test
    void theInnerPolicysRejectionPassesUnchanged() {
        Selection s = admission.decide(request(T0, 100, 0.99, 9, null), catalog, LoadSnapshot.IDLE, T0);
        assertFalse(s.serve());
        assertTrue(s.reason().startsWith("no variant of 'fashion-mnist' reaches min_accuracy"), s.reason());
        assertEquals(0, admission.threshold(TASK));
    }

    @Test
    void feedbackReachesTheInnerPolicy() {
        List<String> seen = new ArrayList<>();
        SelectionPolicy recorder = new SelectionPolicy() {
            @Override
            public String name() {
                return "recorder";
            }

            @Override
            public Selection decide(SelectionRequest r, Catalog c, LoadSnapshot l, long now) {
                return Selection.reject("never");
            }

            @Override
            public void onFeedback(String requestId, String variant, boolean correct, long nowMs) {
                seen.add(variant + ":" + correct);
            }
        };
        new AdmissionControl(recorder, estimator, config).onFeedback("r1", "vgg", true, T0);
        assertEquals(List.of("vgg:true"), seen);
    }
}
