package dev.sluice.decision.policy;

import dev.sluice.decision.vote.VoteMethod;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import dev.sluice.decision.VariantViews;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A per-request override that names exactly what serves, whatever the load: parsed from the
 * policy name, so clients and benchmarks can pin a configuration without a new policy class.
 * <ul>
 *   <li>{@code fixed:vgg} or {@code fixed:mlp+vgg+vgg-tta:probability_average} (vote optional:
 *       majority for several members);</li>
 *   <li>{@code self-consistency:vgg:5}: five test-time views of one variant, majority with
 *       adaptive stopping (the executor applies view {@code i} to the input);</li>
 *   <li>{@code cascade:cnn-small>vgg-tta@0.9}: a cascade escalating below 0.9 confidence.</li>
 * </ul>
 * Members missing from the catalog, or from the request's task, are rejected with the reason.
 */
public final class PinnedPolicy implements SelectionPolicy {
    private final String name;
    private final List<String> members;
    private final String vote;
    private final double escalateBelow;

    private PinnedPolicy(String name, List<String> members, String vote, double escalateBelow) {
        this.name = name;
        this.members = List.copyOf(members);
        this.vote = vote;
        this.escalateBelow = escalateBelow;
    }

    /** Whether {@code name} is a pinned configuration (has a {@code kind:} prefix this class parses). */
    public static boolean isPinned(String name) {
        return name.startsWith("fixed:") || name.startsWith("self-consistency:") || name.startsWith("cascade:");
    }

    /** @throws IllegalArgumentException with what is wrong with the name */
    public static PinnedPolicy parse(String name) {
        String[] parts = name.split(":", -1);
        try {
            switch (parts[0]) {
                case "fixed" -> {
                    if (parts.length < 2 || parts.length > 3 || parts[1].isBlank()) {
                        throw new IllegalArgumentException("want fixed:<variant>[+<variant>...][:<vote>]");
                    }
                    List<String> ms = List.of(parts[1].split("\\+"));
                    String v = parts.length == 3 ? parts[2].toUpperCase(Locale.ROOT) : null;
                    if (v != null) {
                        VoteMethod.valueOf(v);
                    }
                    return new PinnedPolicy(name, ms, v, 0);
                }
                case "self-consistency" -> {
                    if (parts.length != 3) {
                        throw new IllegalArgumentException("want self-consistency:<variant>:<views>");
                    }
                    int n = Integer.parseInt(parts[2]);
                    if (n < 1 || n > 64) {
                        throw new IllegalArgumentException("views must be 1..64, got " + n);
                    }
                    List<String> ms = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        ms.add(VariantViews.view(parts[1], i));
                    }
                    return new PinnedPolicy(name, ms, VoteMethod.SELF_CONSISTENCY.name(), 0);
                }
                case "cascade" -> {
                    int at = parts.length == 2 ? parts[1].lastIndexOf('@') : -1;
                    if (at < 0) {
                        throw new IllegalArgumentException("want cascade:<variant>><variant>[>...]@<threshold>");
                    }
                    List<String> ms = List.of(parts[1].substring(0, at).split(">"));
                    double t = Double.parseDouble(parts[1].substring(at + 1));
                    if (ms.size() < 2 || !(t > 0 && t <= 1)) {
                        throw new IllegalArgumentException("a cascade needs two or more stages and a threshold in (0,1]");
                    }
                    return new PinnedPolicy(name, ms, VoteMethod.CASCADE.name(), t);
                }
                default -> throw new IllegalArgumentException("not a pinned configuration");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad policy '" + name + "': " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    public List<String> members() {
        return members;
    }

    @Override
    public Selection decide(SelectionRequest req, Catalog catalog, LoadSnapshot load, long nowMs) {
        for (String m : members) {
            String base = VariantViews.baseOf(m);
            Variant v = catalog.variant(base).orElse(null);
            if (v == null || !v.task().equals(req.task())) {
                return Selection.reject("policy " + name + " names '" + base + "', not a variant of task '" + req.task() + "'");
            }
        }
        if (escalateBelow > 0) {
            return Selection.cascade(members, Double.NaN, escalateBelow);
        }
        return Selection.serve(members, Double.NaN, vote);
    }
}
