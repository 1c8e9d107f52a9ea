package dev.sluice.launcher;

import dev.sluice.decision.policy.Policies;
import java.util.Iterator;

/** Every registered policy, for picocli's help ({@code ${COMPLETION-CANDIDATES}}): the registry is the one list. */
final class PolicyNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return new Policies(0).names().iterator();
    }
}
