package dev.sluice.launcher;

import dev.sluice.decision.policy.AdmissionControl;
import dev.sluice.decision.policy.Policies;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** Priority admission at the selector: which policies it wraps, and when it sheds which priorities. */
final class AdmissionOptions {
    private static final AdmissionControl.Config D = AdmissionControl.Config.DEFAULTS;

    @Option(names = "--admission", split = ",", paramLabel = "POLICY",
            description = "wrap these policies (or 'all') in priority admission: under overload requests below a rising "
                    + "priority threshold are answered REJECTED instead of served late (default: off)")
    List<String> policies = List.of();

    @Option(names = "--admission-max-priority", defaultValue = "" + 10, paramLabel = "P",
            description = "the threshold climbs at most to P: priority P and above is never shed; lower priorities shed first "
                    + "(default: ${DEFAULT-VALUE})")
    int maxPriority;

    @Option(names = "--admission-lateness-ms", defaultValue = "0", paramLabel = "MS",
            description = "overloaded when the chosen variants are predicted to finish more than MS after the deadline "
                    + "(default: ${DEFAULT-VALUE})")
    double latenessMs;

    @Option(names = "--admission-queue-limit", defaultValue = "" + 256, paramLabel = "N",
            description = "overloaded too when the task's queued tasks pass N (default: ${DEFAULT-VALUE})")
    long queueLimit;

    @Option(names = "--admission-step-ms", defaultValue = "" + 100, paramLabel = "MS",
            description = "the threshold moves by one priority at most every MS, up under overload and down without "
                    + "(default: ${DEFAULT-VALUE})")
    long stepMs;

    /** The settings with admission applied; a clear error for an unknown policy or an out-of-range value. */
    Policies.Settings apply(Policies.Settings settings) {
        if (policies.isEmpty()) {
            return settings;
        }
        AdmissionControl.Config config = new AdmissionControl.Config(queueLimit, stepMs, maxPriority, latenessMs);
        Policies known = new Policies(settings);
        Set<String> names = new LinkedHashSet<>();
        for (String p : policies) {
            if (p.equals("all")) {
                names.addAll(known.names());
            } else if (known.names().contains(p)) {
                names.add(p);
            } else {
                throw new IllegalArgumentException("--admission: unknown policy '" + p + "'; known: " + known.names() + " or all");
            }
        }
        return settings.withAdmission(names, config);
    }
}
