package dev.sluice.launcher;

import dev.sluice.common.DeliveryMode;
import java.util.Arrays;
import java.util.Iterator;

/** Every delivery mode's command-line name, for picocli's help ({@code ${COMPLETION-CANDIDATES}}): the enum is the one list. */
final class DeliveryModeNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return Arrays.stream(DeliveryMode.values()).map(DeliveryMode::cliName).iterator();
    }
}
