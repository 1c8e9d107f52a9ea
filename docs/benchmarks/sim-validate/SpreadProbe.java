// How widely a batch's time spreads when other executors' batches share the cores (args: TARGET BATCH OTHER): the
// target's batch back to back (a 2 ms pause between, as an executor polls) alone, then beside 1 and 2 threads running
// OTHER's batches of 8 back to back, each model with 2 intra-op threads, spinning off, as the executors run them.
// Prints p50/p90/p99 of the target's batch time and of OTHER's. Run from the repository root as
// java -cp "dev-launcher/target/sluice-dev.jar:dev-launcher/target/lib/*" THIS vgg 8 vgg-tta
import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

public class SpreadProbe {
    static volatile boolean run;

    static String q(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        if (s.isEmpty()) return "-";
        return String.format("n %d p50 %.2f p90 %.2f p99 %.2f ms (p90/p50 %.2f)", s.size(), s.get(s.size() / 2),
                s.get((int) (s.size() * 0.9)), s.get(Math.min(s.size() - 1, (int) (s.size() * 0.99))),
                s.get((int) (s.size() * 0.9)) / s.get(s.size() / 2));
    }

    public static void main(String[] a) throws Exception {
        Catalog c = Catalog.load(Path.of("models/catalog.yaml"));
        Variant target = c.variant(a[0]).orElseThrow();
        int batch = Integer.parseInt(a[1]);
        Variant other = c.variant(a[2]).orElseThrow();
        try (OnnxModel m = OnnxModel.load(target, Path.of("models"), Device.CPU, 2)) {
            float[] in = new float[batch * 784];
            for (int i = 0; i < 50; i++) m.run(in, batch);
            for (int others = 0; others <= 2; others++) {
                run = true;
                List<Thread> ts = new ArrayList<>();
                List<List<Double>> otherTimes = new ArrayList<>();
                for (int k = 0; k < others; k++) {
                    List<Double> times = Collections.synchronizedList(new ArrayList<>());
                    otherTimes.add(times);
                    Thread t = new Thread(() -> {
                        try (OnnxModel o = OnnxModel.load(other, Path.of("models"), Device.CPU, 2)) {
                            float[] in8 = new float[8 * 784];
                            while (run) { long s = System.nanoTime(); o.run(in8, 8); times.add((System.nanoTime() - s) / 1e6); }
                        }
                    });
                    t.start();
                    ts.add(t);
                }
                Thread.sleep(1000);
                otherTimes.forEach(List::clear);
                List<Double> mine = new ArrayList<>();
                long end = System.nanoTime() + 6_000_000_000L;
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    m.run(in, batch);
                    mine.add((System.nanoTime() - s) / 1e6);
                    Thread.sleep(2);
                }
                run = false;
                for (Thread t : ts) t.join();
                System.out.printf("%s batch %d beside %d x %s: %s%n", target.id(), batch, others, other.id(), q(mine));
                for (List<Double> o : otherTimes) System.out.printf("   %s batch 8 meanwhile: %s%n", other.id(), q(o));
            }
        }
    }
}
