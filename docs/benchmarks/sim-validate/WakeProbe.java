import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * Does a light model's stream of small runs slow a heavy batch by more than the CPU it uses?
 * args: HEAVY LIGHT [LIGHT_THREADS]. HEAVY runs batches of 8 back to back on one thread for 3 s,
 * first alone, then beside LIGHT running batches of 3 at 50, 120 and 250 runs a second on another
 * (LIGHT_THREADS intra-op threads, default 2, spinning off as the executors run them). Prints the
 * heavy batch's mean and the light thread's CPU (cores).
 */
public class WakeProbe {
    public static void main(String[] a) throws Exception {
        Catalog c = Catalog.load(Path.of("models/catalog.yaml"));
        FashionMnist d = FashionMnist.test();
        Variant hv = c.variant(a[0]).orElseThrow(), lv = c.variant(a[1]).orElseThrow();
        int lightThreads = a.length > 2 ? Integer.parseInt(a[2]) : 2;
        try (OnnxModel heavy = OnnxModel.load(hv, Path.of("models"), Device.CPU, 2);
             OnnxModel light = OnnxModel.load(lv, Path.of("models"), Device.CPU, lightThreads)) {
            float[] in8 = new float[8 * 784];
            float[] in3 = new float[3 * 784];
            System.arraycopy(d.images()[0], 0, in3, 0, 784);
            for (int i = 0; i < 50; i++) {
                heavy.run(in8, 8);
                light.run(in3, 3);
            }
            for (int rate : new int[] {0, 50, 120, 250, 0}) {
                boolean[] stop = {false};
                long[] lightRuns = {0};
                var threads = java.lang.management.ManagementFactory.getThreadMXBean();
                long[] lightCpu = {0};
                Thread t = new Thread(() -> {
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long next = System.nanoTime();
                    while (!stop[0] && rate > 0) {
                        next += 1_000_000_000L / rate;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        try {
                            light.run(in3, 3);
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                        lightRuns[0]++;
                    }
                    lightCpu[0] = threads.getCurrentThreadCpuTime() - cpu0;
                });
                t.start();
                long end = System.nanoTime() + 3_000_000_000L;
                double ms = 0;
                int n = 0;
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    heavy.run(in8, 8);
                    ms += (System.nanoTime() - s) / 1e6;
                    n++;
                }
                stop[0] = true;
                t.join();
                System.out.printf("%s batch 8 beside %s batch 3 at %3d runs/s (%d intra-op threads): mean %.2f ms over %d; "
                        + "light runs %d, its calling thread's CPU %.3f cores%n", hv.id(), lv.id(), rate, lightThreads, ms / n, n,
                        lightRuns[0], lightCpu[0] / 3e9);
            }
        }
    }
}
