package dev.sluice.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * How the simulated clients send a multi-part (multimodal) request: its parts (each a group of
 * the task's modalities, in the order sent), the gaps between them, and the two request fields
 * the pipeline's clients set for it.
 *
 * <p>The defaults are what {@code bench multimodal} sends: the image, then the audio 500 ms
 * later ({@code --gap-ms 500}), answered speculatively with provisional answers shown
 * ({@code final_only} false), or, with {@code speculate} off, held until the last part with the
 * final answer only (the bench sends {@code final_only = !speculate}; the request schema's own
 * default for {@code final_only} is true).
 *
 * @param parts the modalities of each part, part 0 first; parts are sent in this order
 * @param gap the time from one part to the next (drawn per gap)
 * @param speculate false: the client asks the selector to hold the parts until the last (request
 *     parameter {@code speculate=false})
 * @param finalOnly whether the client wants the final answer only (provisional answers are then
 *     decided and kept, but not sent)
 */
public record SimParts(List<List<String>> parts, Gap gap, boolean speculate, boolean finalOnly) {
    public SimParts {
        if (parts.size() < 2) {
            throw new IllegalArgumentException("a request in parts needs at least two parts, got " + parts);
        }
        List<List<String>> copy = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) {
            if (p.isEmpty()) {
                throw new IllegalArgumentException("a part without modalities in " + parts);
            }
            for (String m : p) {
                if (all.contains(m)) {
                    throw new IllegalArgumentException("modality '" + m + "' in two parts of " + parts);
                }
                all.add(m);
            }
            copy.add(List.copyOf(p));
        }
        parts = List.copyOf(copy);
    }

    /**
     * Parts from {@code spec}: parts separated by commas, a part's modalities by {@code +}
     * ({@code image,audio}: the image first, then the audio); {@code finalOnly} null: as
     * {@code bench multimodal}, {@code !speculate}.
     */
    public static SimParts parse(String spec, String gapSpec, boolean speculate, Boolean finalOnly) {
        List<List<String>> parts = new ArrayList<>();
        for (String p : spec.split(",")) {
            parts.add(Arrays.stream(p.trim().split("\\+")).map(String::trim).filter(s -> !s.isEmpty()).toList());
        }
        return new SimParts(parts, Gap.parse(gapSpec), speculate, finalOnly == null ? !speculate : finalOnly);
    }

    public int count() {
        return parts.size();
    }

    /** Every modality of every part. */
    public List<String> modalities() {
        return parts.stream().flatMap(List::stream).toList();
    }

    public String describe() {
        return String.format(Locale.ROOT, "requests in %d parts %s, %s apart, %s, %s", count(), parts, gap.describe(),
                speculate ? "speculative (a plan per part)" : "held until the last part",
                finalOnly ? "final answers only" : "provisional answers sent");
    }

    /**
     * The time between two parts of a request, ms: {@code fixed:G} (or just {@code G}),
     * {@code exp:M} (exponential with mean M), {@code uniform:A:B}.
     */
    public record Gap(String kind, double a, double b) {
        public Gap {
            if (!List.of("fixed", "exp", "uniform").contains(kind)) {
                throw new IllegalArgumentException("part gap kind must be fixed, exp or uniform, got '" + kind + "'");
            }
            if (!(a >= 0) || !(b >= a)) {
                throw new IllegalArgumentException("part gap bounds must satisfy 0 <= a <= b, got " + a + ", " + b);
            }
        }

        public static Gap parse(String spec) {
            String[] f = spec.trim().split(":");
            try {
                return switch (f.length == 1 ? "fixed" : f[0]) {
                    case "fixed" -> {
                        double g = Double.parseDouble(f[f.length - 1]);
                        yield new Gap("fixed", g, g);
                    }
                    case "exp" -> new Gap("exp", Double.parseDouble(f[1]), Double.parseDouble(f[1]));
                    case "uniform" -> new Gap("uniform", Double.parseDouble(f[1]), Double.parseDouble(f[2]));
                    default -> throw new IllegalArgumentException("part gap must be G, fixed:G, exp:MEAN or uniform:A:B "
                            + "(ms), got '" + spec + "'");
                };
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("part gap must be G, fixed:G, exp:MEAN or uniform:A:B (ms), got '" + spec
                        + "'", e);
            }
        }

        /** One gap, ms. */
        public double sampleMs(RandomGenerator random) {
            return switch (kind) {
                case "exp" -> -a * Math.log(1 - random.nextDouble());
                case "uniform" -> a + (b - a) * random.nextDouble();
                default -> a;
            };
        }

        public String describe() {
            return switch (kind) {
                case "exp" -> String.format(Locale.ROOT, "exponential gaps with mean %.0f ms", a);
                case "uniform" -> String.format(Locale.ROOT, "gaps uniform in [%.0f, %.0f] ms", a, b);
                default -> String.format(Locale.ROOT, "%.0f ms", a);
            };
        }
    }
}
