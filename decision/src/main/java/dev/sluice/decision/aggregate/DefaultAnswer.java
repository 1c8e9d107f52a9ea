package dev.sluice.decision.aggregate;

import java.util.List;

/**
 * What a request that opted in (parameter {@code deadline_default}) is answered with when its
 * deadline passes with no member's answer: the label the prediction cache holds for the same
 * inputs (whatever the accuracy of the {@code variants} that produced it), or the selector's
 * configured default ({@code source} "default", no variants). The result says it is a default.
 */
public record DefaultAnswer(int label, float confidence, List<String> variants, double accuracy, String source) {
    public DefaultAnswer {
        variants = List.copyOf(variants);
    }

    /** Why the result carries this label, for its reason. */
    public String describe() {
        return "cache".equals(source)
                ? String.format("the prediction cache's answer for the same inputs (%s, accuracy %.4f)", String.join("+", variants),
                        accuracy)
                : "the configured default label";
    }
}
