package dev.sluice.containers;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs a test class only where Testcontainers finds a Docker engine (DOCKER_HOST, the socket,
 * ~/.testcontainers.properties); elsewhere the class is skipped, and the reason is printed on the
 * build's console as well as recorded in the failsafe report, so a skip is never silent.
 */
final class DockerRequired implements ExecutionCondition {
    static final String HOW = "no Docker engine answered (DOCKER_HOST, /var/run/docker.sock): skipped. Run them where"
            + " Docker runs: mvn -B install -DskipTests, then mvn -B -pl testcontainers-it verify"
            + " (README, Tests on containers)";
    private static Boolean available;

    static synchronized boolean dockerAvailable() {
        if (available == null) {
            boolean ok;
            try {
                ok = DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                ok = false;
            }
            available = ok;
        }
        return available;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (dockerAvailable()) {
            return ConditionEvaluationResult.enabled("a Docker engine answered");
        }
        String reason = context.getDisplayName() + ": " + HOW;
        if (context.getTestMethod().isEmpty()) {
            System.out.println("[SKIPPED] " + reason);
        }
        return ConditionEvaluationResult.disabled(reason);
    }
}
