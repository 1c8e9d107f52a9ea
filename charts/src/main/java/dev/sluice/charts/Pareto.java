package dev.sluice.charts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The Pareto front of points where lower x (cost) and higher y (accuracy) are better. */
public final class Pareto {
    private Pareto() {}

    /**
     * The points that no other point dominates (another with x no higher and y no lower, one of
     * them strictly), in increasing x. NaN points are never on the front.
     */
    public static List<Charts.Point> front(List<Charts.Point> points) {
        List<Charts.Point> sorted = new ArrayList<>();
        for (Charts.Point p : points) {
            if (!Double.isNaN(p.x()) && !Double.isNaN(p.y())) {
                sorted.add(p);
            }
        }
        sorted.sort(Comparator.comparingDouble(Charts.Point::x).thenComparing(Comparator.comparingDouble(Charts.Point::y).reversed()));
        List<Charts.Point> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (Charts.Point p : sorted) {
            if (p.y() > best) {
                front.add(p);
                best = p.y();
            }
        }
        return front;
    }
}
