import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.Arrays;

/** args[0] at batch 1 after a 5 ms sleep, alone and then beside args[1] running batches of 8 back to back on its own thread. */
public class BesideProbe {
    static volatile boolean busy = true;
    public static void main(String[] a) throws Exception {
        Catalog c = Catalog.load(Path.of("models/catalog.yaml"));
        FashionMnist d = FashionMnist.test();
        Variant v = c.variant(a[0]).orElseThrow(), h = c.variant(a[1]).orElseThrow();
        try (OnnxModel m = OnnxModel.load(v, Path.of("models"), Device.CPU, 2); OnnxModel hm = OnnxModel.load(h, Path.of("models"), Device.CPU, 2)) {
            float[] in = d.images()[0].clone();
            float[] in8 = new float[8 * 784];
            for (int i = 0; i < 100; i++) m.run(in, 1);
            System.out.println(a[0] + " alone:          " + measure(m, in));
            double[] heavy = new double[1];
            long[] n = new long[1];
            Thread t = new Thread(() -> { while (busy) { long s = System.nanoTime(); hm.run(in8, 8); heavy[0] += (System.nanoTime() - s) / 1e6; n[0]++; } });
            t.start();
            Thread.sleep(500);
            System.out.println(a[0] + " beside " + a[1] + ": " + measure(m, in));
            busy = false;
            t.join();
            System.out.printf("%s batch 8 meanwhile: mean %.2f ms (profile p50 %.2f); load %s%n", a[1], heavy[0] / n[0], h.profile().p50Ms(8),
                    java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim());
        }
    }
    static String measure(OnnxModel m, float[] in) throws Exception {
        double[] x = new double[300];
        for (int i = 0; i < x.length; i++) { Thread.sleep(5); long t = System.nanoTime(); m.run(in, 1); x[i] = (System.nanoTime() - t) / 1e6; }
        Arrays.sort(x);
        return String.format("batch 1 p50 %.3f p90 %.3f ms", x[150], x[270]);
    }
}
