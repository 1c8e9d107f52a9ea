package dev.sluice.decision.policy;

/** Reasons for a rejection, worded alike by every policy so reports can group them. */
final class Rejections {
    private Rejections() {}

    static Selection noProfiledVariant(String task) {
        return Selection.reject("no profiled variant serves task '" + task + "'");
    }

    static Selection belowFloor(String task, double minAccuracy, double bestAccuracy) {
        return Selection.reject(String.format(
                "no variant of '%s' reaches min_accuracy %.4f (best %.4f)", task, minAccuracy, bestAccuracy));
    }

    static Selection tooSlow(double minAccuracy, double fastestMs, double slackMs) {
        return Selection.reject(String.format(
                "no variant with accuracy >= %.4f finishes in time: fastest predicted %.1f ms, %.1f ms left to the deadline",
                minAccuracy, fastestMs, slackMs));
    }
}
