// What a light executor's small batches cost a heavy batch beside them (args: HEAVY LIGHT LIGHT_BATCH RATE...): the
// heavy variant's batch of 8 back to back on one thread, alone, then beside a thread running LIGHT's batches of
// LIGHT_BATCH at each RATE per second (sleeping between, as an executor waits for tasks), each model with 2 intra-op
// threads, spinning off, as the executors run them. Prints the heavy batch's p50 and mean, the light batches' CPU, and
// the slowdown against alone. Run from the repository root as
// java -cp "dev-launcher/target/sluice-dev.jar:dev-launcher/target/lib/*" THIS vgg-b-tta linear 3 120 240
import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

public class WakeupProbe {
    static volatile boolean run;

    public static void main(String[] a) throws Exception {
        Catalog c = Catalog.load(Path.of("models/catalog.yaml"));
        Variant heavy = c.variant(a[0]).orElseThrow();
        Variant light = c.variant(a[1]).orElseThrow();
        int lightBatch = Integer.parseInt(a[2]);
        List<Integer> rates = new ArrayList<>();
        rates.add(0);
        for (int i = 3; i < a.length; i++) rates.add(Integer.parseInt(a[i]));
        double aloneMean = 0;
        try (OnnxModel h = OnnxModel.load(heavy, Path.of("models"), Device.CPU, 2);
             OnnxModel l = OnnxModel.load(light, Path.of("models"), Device.CPU, 2)) {
            float[] in8 = new float[8 * 784];
            float[] inL = new float[lightBatch * 784];
            for (int i = 0; i < 50; i++) { h.run(in8, 8); l.run(inL, lightBatch); }
            for (int rate : rates) {
                run = true;
                long[] lightRuns = {0};
                var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long[] lightCpuNs = {0};
                Thread t = new Thread(() -> {
                    if (rate == 0) return;
                    long periodNs = 1_000_000_000L / rate;
                    long next = System.nanoTime();
                    long cpu0 = bean.getCurrentThreadCpuTime();
                    while (run) {
                        l.run(inL, lightBatch);
                        lightRuns[0]++;
                        next += periodNs;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            try { Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); } catch (InterruptedException e) { return; }
                        }
                    }
                    lightCpuNs[0] = bean.getCurrentThreadCpuTime() - cpu0;
                });
                t.start();
                Thread.sleep(500);
                List<Double> times = new ArrayList<>();
                long end = System.nanoTime() + 5_000_000_000L;
                long wall0 = System.nanoTime();
                long runs0 = lightRuns[0];
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    h.run(in8, 8);
                    times.add((System.nanoTime() - s) / 1e6);
                }
                double wallS = (System.nanoTime() - wall0) / 1e9;
                long lightDone = lightRuns[0] - runs0;
                run = false;
                t.join();
                Collections.sort(times);
                double mean = times.stream().mapToDouble(Double::doubleValue).average().orElse(0);
                if (rate == 0) aloneMean = mean;
                System.out.printf("%s batch 8 beside %s batches of %d at %d/s (%.0f/s run): p50 %.2f ms, mean %.2f ms, %.2fx alone;"
                        + " the light loop's calling thread used %.3f cores%n", heavy.id(), light.id(), lightBatch, rate,
                        lightDone / wallS, times.get(times.size() / 2), mean, mean / aloneMean, lightCpuNs[0] / 1e9 / (wallS + 0.5));
            }
        }
    }
}
