package dev.sluice.sim.device;

import dev.sluice.models.LatencyPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A GPU-class profile derived, not measured: no GPU was at hand. The batch-scaling shape comes
 * from published measurements of the same ONNX Runtime on a CPU and on an Ampere GPU, for four
 * convolutional models of one family at batch sizes 1 to 16: the Proteus artifact's
 * {@code profiling/aggregate_profiled.csv} (github.com/UMass-LIDS/Proteus, ASPLOS'24; rows
 * {@code yolov5s/m/l/x}, accelerators {@code onnxruntime_cpu} and {@code onnxruntime_gpu_ampere},
 * column {@code 50th_pct}, ms). The figures used are copied below.
 *
 * <p>On the GPU a batch costs a fixed part plus a part per sample, {@code F + k b} (fitted through
 * the batch-1 and batch-16 medians); on the CPU it grows about linearly. Over the four models the
 * fixed part is on average {@link #fixedFraction()} of the CPU's batch-1 median, and the per-sample
 * part {@link #perSampleFraction()} of the CPU's per-sample cost at batch 8. A variant's derived GPU
 * median at batch {@code b} is then {@code fixedFraction x cpu_p50(1) + perSampleFraction x
 * (cpu_p50(B) / B) x b}, with {@code B} its largest measured CPU batch. The tails: the reference
 * rows' 90th percentiles sit 1-4% above their medians, so p95 = 1.03 x p50 and p99 = 1.06 x p50.
 * Memory is the catalog's (CPU resident-set growth); GPU memory is not derived.
 *
 * <p>What this does not capture: a per-call floor of its own (kernel launches, host-device copies)
 * beyond what scales with the model, so the zoo's smallest variants, whose CPU batch takes a few
 * microseconds, come out optimistic; and anything specific to small 28x28 models.
 */
public final class GpuDerivation {
    /** {model, cpu p50 b1, cpu p50 b8, gpu p50 b1, gpu p50 b16}, ms, from the Proteus CSV. */
    static final double[][] REFERENCE = {
        {62.788, 399.033, 16.385, 85.135},   // yolov5s
        {105.712, 731.013, 20.692, 108.691}, // yolov5m
        {160.819, 1302.680, 24.838, 138.682}, // yolov5l
        {238.430, 2103.762, 28.588, 191.697}, // yolov5x
    };
    static final String[] REFERENCE_MODELS = {"yolov5s", "yolov5m", "yolov5l", "yolov5x"};
    static final double P95_OVER_P50 = 1.03;
    static final double P99_OVER_P50 = 1.06;

    public static final String SOURCE = "derived, not measured (no GPU at hand): Proteus artifact "
            + "github.com/UMass-LIDS/Proteus profiling/aggregate_profiled.csv, ONNX Runtime p50 of yolov5s/m/l/x on "
            + "onnxruntime_cpu and onnxruntime_gpu_ampere at batch 1..16; GPU batch time = F + k b fitted through batch 1 "
            + "and 16; F / cpu_p50(1) and k / (cpu_p50(8) / 8) averaged over the four models and applied to each "
            + "variant's measured CPU profile; p95 = 1.03 p50, p99 = 1.06 p50 (the reference rows' p90 spread); memory "
            + "copied from the CPU catalog (not derived). No per-call floor beyond what scales with the model: the "
            + "smallest variants are optimistic. See dev.sluice.sim.device.GpuDerivation.";

    private GpuDerivation() {}

    /** F / cpu_p50(1), averaged over the reference models. */
    public static double fixedFraction() {
        double sum = 0;
        for (double[] r : REFERENCE) {
            double k = (r[3] - r[2]) / 15;
            sum += (r[2] - k) / r[0];
        }
        return sum / REFERENCE.length;
    }

    /** k / (cpu_p50(8) / 8), averaged over the reference models. */
    public static double perSampleFraction() {
        double sum = 0;
        for (double[] r : REFERENCE) {
            double k = (r[3] - r[2]) / 15;
            sum += k / (r[1] / 8);
        }
        return sum / REFERENCE.length;
    }

    /** The derived GPU-class points of one variant from its measured CPU points (same batch sizes). */
    public static List<LatencyPoint> derive(List<LatencyPoint> cpu) {
        LatencyPoint one = cpu.get(0);
        LatencyPoint largest = cpu.get(cpu.size() - 1);
        double fixed = fixedFraction() * one.p50Ms() / Math.max(1, one.batch());
        double perSample = perSampleFraction() * largest.p50Ms() / largest.batch();
        List<LatencyPoint> out = new ArrayList<>();
        for (LatencyPoint p : cpu) {
            double p50 = round(fixed + perSample * p.batch());
            out.add(new LatencyPoint(p.batch(), p50, round(p50 * P95_OVER_P50), round(p50 * P99_OVER_P50)));
        }
        return out;
    }

    /** A GPU-class device profile derived from a measured CPU one. */
    public static DeviceProfile from(DeviceProfile cpu, String device) {
        List<DeviceProfile.VariantCost> out = new ArrayList<>();
        for (DeviceProfile.VariantCost c : cpu.variants()) {
            out.add(new DeviceProfile.VariantCost(c.id(), c.memoryMb(), c.maxBatch(), derive(c.points())));
        }
        return new DeviceProfile(device, "derived", SOURCE, cpu.measuredAt(), out);
    }

    /** The reference figures and the fitted fractions, for the file's header. */
    public static String describe() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < REFERENCE.length; i++) {
            double[] r = REFERENCE[i];
            b.append(String.format(Locale.ROOT, "#   %-8s cpu p50 b1 %8.3f b8 %9.3f | gpu_ampere p50 b1 %7.3f b16 %8.3f%n",
                    REFERENCE_MODELS[i], r[0], r[1], r[2], r[3]));
        }
        b.append(String.format(Locale.ROOT, "#   fixed fraction F / cpu_p50(1) = %.4f, per-sample fraction k / (cpu_p50(8)/8) = %.4f%n",
                fixedFraction(), perSampleFraction()));
        return b.toString();
    }

    private static double round(double x) {
        return Math.round(x * 1e5) / 1e5;
    }
}
