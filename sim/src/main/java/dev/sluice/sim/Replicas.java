package dev.sluice.sim;

import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many executor replicas each variant of a task gets, from a command-line spec:
 * <ul>
 *   <li>{@code N}: N replicas of every profiled variant;
 *   <li>{@code total=N}: N in all, spread in proportion to each variant's cost per request at its
 *       full batch (so each variant alone could serve about the same rate), at least one each;
 *   <li>{@code vgg=8,linear=1,...}: as listed (variants left out get none).
 * </ul>
 */
public final class Replicas {
    private Replicas() {}

    public static Map<String, Integer> parse(String spec, Catalog catalog, String task) {
        List<Variant> variants = catalog.forTask(task).stream().filter(Variant::isProfiled).toList();
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("no profiled variant of task '" + task + "'");
        }
        spec = spec.strip();
        Map<String, Integer> out = new TreeMap<>();
        if (spec.matches("\\d+")) {
            int n = Integer.parseInt(spec);
            variants.forEach(v -> out.put(v.id(), n));
            return out;
        }
        if (spec.startsWith("total=")) {
            return spread(Integer.parseInt(spec.substring(6)), variants);
        }
        for (String part : spec.split(",")) {
            String[] kv = part.split("=");
            if (kv.length != 2 || catalog.variant(kv[0].strip()).isEmpty()) {
                throw new IllegalArgumentException("bad replicas '" + part + "': use N, total=N or variant=N,... (variants: "
                        + variants.stream().map(Variant::id).toList() + ")");
            }
            out.put(kv[0].strip(), Integer.parseInt(kv[1].strip()));
        }
        return out;
    }

    /** {@code total} replicas in proportion to each variant's full-batch cost per request (largest remainders). */
    static Map<String, Integer> spread(int total, List<Variant> variants) {
        if (total < variants.size()) {
            throw new IllegalArgumentException("total=" + total + " is fewer than one replica per variant (" + variants.size() + ")");
        }
        double sum = variants.stream().mapToDouble(Replicas::costMs).sum();
        Map<String, Integer> out = new LinkedHashMap<>();
        List<double[]> remainders = new ArrayList<>();
        int given = 0;
        int spare = total - variants.size(); // one each first
        for (int i = 0; i < variants.size(); i++) {
            double share = spare * costMs(variants.get(i)) / sum;
            int n = 1 + (int) Math.floor(share);
            out.put(variants.get(i).id(), n);
            given += n;
            remainders.add(new double[] {share - Math.floor(share), i});
        }
        remainders.sort(Comparator.comparingDouble((double[] r) -> -r[0]).thenComparingDouble(r -> r[1]));
        for (int k = 0; given < total; k++, given++) {
            String id = variants.get((int) remainders.get(k % remainders.size())[1]).id();
            out.merge(id, 1, Integer::sum);
        }
        return new TreeMap<>(out);
    }

    /** One request's cost at the variant's full batch (the executor's max, within what was measured), ms. */
    static double costMs(Variant v) {
        int b = Math.min(v.batching().maxBatch(), v.profile().maxMeasuredBatch());
        return v.profile().p50Ms(b) / b;
    }
}
