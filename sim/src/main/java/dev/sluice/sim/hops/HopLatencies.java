package dev.sluice.sim.hops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The latency each Kafka hop adds, as the simulator draws it: one empirical distribution per
 * {@link Hop}, given by its quantiles at evenly spaced probabilities and sampled by inverting
 * that CDF (linear between quantiles).
 *
 * <p>File format (text, UTF-8; see {@code hops/cpu-2core-eosr.hops} on the classpath for a
 * measured one):
 * <pre>
 * # free comment lines; "# command: ..." records the command that measured the file
 * # and "# measured: ..." when and where (both are kept and reported)
 * quantiles 21                 # how many values each hop line gives: probabilities 0, 1/(n-1), ..., 1
 * request 0.9 1.1 ... 14.0     # ms, non-decreasing
 * task 1.0 ...
 * plan = task                  # a hop not measured on its own reuses another's distribution
 * transport_cpu_ms 1.9         # optional: process CPU per request the transport costs the host (ms)
 * transport_idle_cores 0.3     # optional: cores the idle pipeline spends (polls, commits)
 * </pre>
 * Every {@link Hop} must be given, by values or by '='.
 */
public final class HopLatencies {
    /** The hops of the pipeline, in the order a request meets them. */
    public enum Hop {
        /** client to selector, and the selector's decision: sent to planned (ingest + select stages) */
        REQUEST,
        /** selector to executor: a task from dispatch to its executor's poll */
        TASK,
        /** selector to aggregator: the plan */
        PLAN,
        /** executor to aggregator: a member output, up to the aggregator's decision */
        OUTPUT,
        /** aggregator to client: the result */
        RESULT,
        /** executor to selector: an executor status record, from publish to the selector's load view */
        STATUS,
        /** aggregator to executor: a cancellation after an early answer */
        CANCEL;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One hop's distribution: quantiles (ms) at probabilities 0, 1/(n-1), ..., 1. */
    public record Quantiles(double[] ms) {
        public Quantiles {
            if (ms.length < 2) {
                throw new IllegalArgumentException("a hop needs at least two quantiles");
            }
            for (int i = 0; i < ms.length; i++) {
                if (!(ms[i] >= 0) || (i > 0 && ms[i] < ms[i - 1])) {
                    throw new IllegalArgumentException("hop quantiles must be >= 0 and non-decreasing: " + Arrays.toString(ms));
                }
            }
            ms = ms.clone();
        }

        /** The value at cumulative probability {@code u} in [0, 1). */
        public double at(double u) {
            double x = u * (ms.length - 1);
            int i = (int) x;
            if (i >= ms.length - 1) {
                return ms[ms.length - 1];
            }
            double f = x - i;
            return ms[i] + f * (ms[i + 1] - ms[i]);
        }

        public double median() {
            return at(0.5);
        }

        /** The mean of a draw: {@link #at} is linear between the quantiles, so each span's midpoint weighs its width. */
        public double mean() {
            double sum = 0;
            for (int i = 1; i < ms.length; i++) {
                sum += (ms[i - 1] + ms[i]) / 2;
            }
            return sum / (ms.length - 1);
        }

        static Quantiles constant(double ms) {
            return new Quantiles(new double[] {ms, ms});
        }
    }

    private final Map<Hop, Quantiles> hops;
    private final List<String> provenance;
    private final double transportCpuMs;
    private final double idleCores;

    public HopLatencies(Map<Hop, Quantiles> hops, List<String> provenance) {
        this(hops, provenance, Double.NaN, Double.NaN);
    }

    /**
     * @param transportCpuMs CPU time (ms, all threads) the transport of one request costs the host it
     *     shares with the executors: broker, selector, aggregator, client; NaN when not measured
     * @param idleCores cores the pipeline spends with nothing to do; NaN when not measured
     */
    public HopLatencies(Map<Hop, Quantiles> hops, List<String> provenance, double transportCpuMs, double idleCores) {
        for (Hop h : Hop.values()) {
            if (!hops.containsKey(h)) {
                throw new IllegalArgumentException("hop latencies lack '" + h.key() + "'");
            }
        }
        if (!Double.isNaN(transportCpuMs) && !(transportCpuMs >= 0)) {
            throw new IllegalArgumentException("transport CPU per request must be >= 0, got " + transportCpuMs);
        }
        this.hops = new EnumMap<>(hops);
        this.provenance = List.copyOf(provenance);
        this.transportCpuMs = transportCpuMs;
        this.idleCores = idleCores;
    }

    /** Every hop takes exactly {@code ms} (tests, hand-checkable scenarios). */
    public static HopLatencies constant(double ms) {
        Map<Hop, Quantiles> m = new EnumMap<>(Hop.class);
        for (Hop h : Hop.values()) {
            m.put(h, Quantiles.constant(ms));
        }
        return new HopLatencies(m, List.of("constant " + ms + " ms per hop"));
    }

    /** The measured file shipped with the simulator (see {@link #DEFAULT_RESOURCE}). */
    public static final String DEFAULT_RESOURCE = "/dev/sluice/sim/hops/cpu-2core-eosr.hops";

    public static HopLatencies defaults() {
        return resource(DEFAULT_RESOURCE);
    }

    public static HopLatencies resource(String name) {
        try (InputStream in = HopLatencies.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no hop latency resource " + name);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file by path, or a resource shipped with the simulator when no such file exists. */
    public static HopLatencies load(String pathOrResource) {
        Path p = Path.of(pathOrResource);
        if (Files.isRegularFile(p)) {
            try {
                return parse(Files.readString(p), p.toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + p, e);
            }
        }
        String r = pathOrResource.startsWith("/") ? pathOrResource : "/dev/sluice/sim/hops/" + pathOrResource;
        return resource(r.endsWith(".hops") ? r : r + ".hops");
    }

    public static HopLatencies parse(String text, String source) {
        Map<Hop, Quantiles> m = new EnumMap<>(Hop.class);
        Map<Hop, Hop> aliases = new EnumMap<>(Hop.class);
        List<String> provenance = new ArrayList<>();
        int n = -1;
        int lineNo = 0;
        double cpu = Double.NaN;
        double idle = Double.NaN;
        for (String raw : text.split("\n")) {
            lineNo++;
            String line = raw.strip();
            if (line.startsWith("#")) {
                String c = line.substring(1).strip();
                if (c.startsWith("command:") || c.startsWith("measured:") || c.startsWith("machine:")
                        || c.startsWith("load average:")) {
                    provenance.add(c);
                }
                continue;
            }
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash).strip();
            }
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+");
            try {
                if (parts[0].equals("quantiles")) {
                    n = Integer.parseInt(parts[1]);
                    continue;
                }
                if (parts[0].equals("transport_cpu_ms")) {
                    cpu = Double.parseDouble(parts[1]);
                    continue;
                }
                if (parts[0].equals("transport_idle_cores")) {
                    idle = Double.parseDouble(parts[1]);
                    continue;
                }
                Hop hop = hop(parts[0]);
                if (parts.length == 3 && parts[1].equals("=")) {
                    aliases.put(hop, hop(parts[2]));
                    continue;
                }
                if (n < 0) {
                    throw new IllegalArgumentException("'quantiles N' must come before the hop lines");
                }
                if (parts.length - 1 != n) {
                    throw new IllegalArgumentException("expected " + n + " values, got " + (parts.length - 1));
                }
                double[] q = new double[n];
                for (int i = 0; i < n; i++) {
                    q[i] = Double.parseDouble(parts[i + 1]);
                }
                m.put(hop, new Quantiles(q));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(source + ":" + lineNo + ": " + e.getMessage(), e);
            }
        }
        aliases.forEach((hop, to) -> {
            Quantiles q = m.get(to);
            if (q == null) {
                throw new IllegalArgumentException(source + ": hop '" + hop.key() + "' = '" + to.key() + "', which has no values");
            }
            m.put(hop, q);
        });
        return new HopLatencies(m, provenance, cpu, idle);
    }

    private static Hop hop(String key) {
        for (Hop h : Hop.values()) {
            if (h.key().equals(key)) {
                return h;
            }
        }
        throw new IllegalArgumentException("unknown hop '" + key + "'; known: " + Arrays.stream(Hop.values()).map(Hop::key).toList());
    }

    /** One draw, ms. */
    public double sampleMs(Hop hop, RandomGenerator random) {
        return hops.get(hop).at(random.nextDouble());
    }

    public Quantiles of(Hop hop) {
        return hops.get(hop);
    }

    /** The median over the hops a single-variant request crosses (request, task, output, result): what the selector should budget. */
    public double medianPathMs() {
        return of(Hop.REQUEST).median() + of(Hop.TASK).median() + of(Hop.OUTPUT).median() + of(Hop.RESULT).median();
    }

    /** CPU time (ms) one request's transport costs the host, NaN when the file does not say. */
    public double transportCpuMs() {
        return transportCpuMs;
    }

    /** Cores the idle pipeline spends, NaN when the file does not say. */
    public double idleCores() {
        return idleCores;
    }

    /** The lines of the file that say how and where it was measured. */
    public List<String> provenance() {
        return provenance;
    }

    /** This distribution set as a file, with {@code header} lines (each written as a comment). */
    public static String format(Map<Hop, double[]> measured, Map<Hop, Hop> aliases, List<String> header) {
        return format(measured, aliases, header, Double.NaN, Double.NaN);
    }

    /** As {@link #format(Map, Map, List)}, with the transport's CPU per request and idle cores (NaN: not written). */
    public static String format(Map<Hop, double[]> measured, Map<Hop, Hop> aliases, List<String> header,
            double transportCpuMs, double idleCores) {
        StringBuilder b = new StringBuilder();
        header.forEach(h -> b.append("# ").append(h).append('\n'));
        int n = measured.values().iterator().next().length;
        b.append("quantiles ").append(n).append('\n');
        measured.forEach((hop, q) -> {
            b.append(hop.key());
            for (double v : q) {
                b.append(' ').append(String.format(Locale.ROOT, "%.3f", v));
            }
            b.append('\n');
        });
        aliases.forEach((hop, to) -> b.append(hop.key()).append(" = ").append(to.key()).append('\n'));
        if (!Double.isNaN(transportCpuMs)) {
            b.append(String.format(Locale.ROOT, "transport_cpu_ms %.4f%n", transportCpuMs));
        }
        if (!Double.isNaN(idleCores)) {
            b.append(String.format(Locale.ROOT, "transport_idle_cores %.4f%n", idleCores));
        }
        return b.toString();
    }
}
