package dev.sluice.decision.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Named load shapes for replays and benchmarks. Rates are requests per second; times are
 * seconds from the start of the run.
 */
public final class Traces {
    private Traces() {}

    /** A step from {@code low} to {@code high} at {@code at} seconds. */
    public static RateTrace step(double low, double high, double at) {
        return t -> t < at ? low : high;
    }

    /** {@code base} with a burst of {@code peak} between {@code from} and {@code to}. */
    public static RateTrace burst(double base, double peak, double from, double to) {
        return t -> t >= from && t < to ? peak : base;
    }

    /** A day compressed into {@code periodSeconds}: a sine between {@code low} and {@code high}. */
    public static RateTrace diurnal(double low, double high, double periodSeconds) {
        return t -> low + (high - low) * 0.5 * (1 - Math.cos(2 * Math.PI * t / periodSeconds));
    }

    /**
     * A piecewise-constant rate file: one {@code t_seconds rate} pair per line, '#' comments; the
     * rate of a line holds until the next line's time.
     */
    public static RateTrace replay(Path file) {
        List<double[]> points = new ArrayList<>();
        try {
            int n = 0;
            for (String line : Files.readAllLines(file)) {
                n++;
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s+");
                if (parts.length != 2) {
                    throw new IllegalArgumentException(file + ":" + n + ": expected 't_seconds rate', got '" + line + "'");
                }
                double t = Double.parseDouble(parts[0]);
                double r = Double.parseDouble(parts[1]);
                if (r < 0 || (!points.isEmpty() && t <= points.get(points.size() - 1)[0])) {
                    throw new IllegalArgumentException(file + ":" + n + ": times must increase and rates be >= 0");
                }
                points.add(new double[] {t, r});
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read rate file " + file, e);
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no 't_seconds rate' lines");
        }
        return t -> {
            double rate = 0;
            for (double[] p : points) {
                if (p[0] > t) {
                    break;
                }
                rate = p[1];
            }
            return rate;
        };
    }

    /**
     * A trace by name: {@code steady:RATE}, {@code burst:BASE:PEAK:FROM:TO}, {@code step:LOW:HIGH:AT},
     * {@code diurnal:LOW:HIGH:PERIOD}, or {@code file:PATH}.
     */
    public static RateTrace parse(String spec) {
        String[] p = spec.split(":");
        try {
            return switch (p[0].toLowerCase(Locale.ROOT)) {
                case "steady" -> RateTrace.steady(d(p, 1));
                case "burst" -> burst(d(p, 1), d(p, 2), d(p, 3), d(p, 4));
                case "step" -> step(d(p, 1), d(p, 2), d(p, 3));
                case "diurnal" -> diurnal(d(p, 1), d(p, 2), d(p, 3));
                case "file" -> replay(Path.of(spec.substring(5)));
                default -> throw new IllegalArgumentException("unknown trace '" + p[0] + "'");
            };
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("bad trace '" + spec + "': use steady:RATE, burst:BASE:PEAK:FROM:TO, "
                    + "step:LOW:HIGH:AT, diurnal:LOW:HIGH:PERIOD or file:PATH", e);
        }
    }

    /**
     * The named shapes of {@code bench policies} and {@code sim}, scaled to what the heaviest variant
     * serves ({@code capacity}, rps) over a run of {@code duration} seconds: {@code burst} (0.3x, then
     * 2x in the middle third), {@code step} (0.3x, then 1.5x from half-way), {@code diurnal} (0.1x to
     * 1.5x over the run), {@code steady} (0.5x); any other name is a spec for {@link #parse}.
     */
    public static RateTrace named(String name, double capacity, double duration) {
        return switch (name) {
            case "burst" -> burst(0.3 * capacity, 2.0 * capacity, duration / 3, 2 * duration / 3);
            case "step" -> step(0.3 * capacity, 1.5 * capacity, duration / 2);
            case "diurnal" -> diurnal(0.1 * capacity, 1.5 * capacity, duration);
            case "steady" -> RateTrace.steady(0.5 * capacity);
            default -> parse(name);
        };
    }

    /** The highest rate of {@code t} over {@code duration} seconds (sampled every 50 ms), at least 1. */
    public static double peakOf(RateTrace t, double duration) {
        double peak = 0;
        for (double s = 0; s <= duration; s += 0.05) {
            peak = Math.max(peak, t.rateAt(s));
        }
        return Math.max(peak, 1);
    }

    private static double d(String[] p, int i) {
        return Double.parseDouble(p[i]);
    }
}
