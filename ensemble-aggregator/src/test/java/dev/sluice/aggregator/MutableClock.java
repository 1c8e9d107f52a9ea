package dev.sluice.aggregator;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A test clock moved by hand. */
final class MutableClock implements InstantSource {
    private Instant now;

    MutableClock(Instant start) {
        this.now = start;
    }

    void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public Instant instant() {
        return now;
    }
}
