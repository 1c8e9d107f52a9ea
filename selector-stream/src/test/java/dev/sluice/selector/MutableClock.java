package dev.sluice.selector;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A test clock moved by hand. */
final class MutableClock implements InstantSource {
    private Instant now;

    MutableClock(long epochMs) {
        this.now = Instant.ofEpochMilli(epochMs);
    }

    void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public Instant instant() {
        return now;
    }
}
