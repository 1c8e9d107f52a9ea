// Batches of 8 of each variant given, alone and beside 1, 2 and 3 threads spinning (args: VARIANT...); run from the
// repository root as java -cp "dev-launcher/target/sluice-dev.jar:dev-launcher/target/lib/*" THIS vgg-tta vgg-b-tta
import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.nio.file.Path;

public class ContentionProbe {
    static volatile boolean spin;
    public static void main(String[] a) throws Exception {
        Catalog c = Catalog.load(Path.of("models/catalog.yaml"));
        for (String id : a) {
            Variant v = c.variant(id).orElseThrow();
            try (OnnxModel m = OnnxModel.load(v, Path.of("models"), Device.CPU, 2)) {
                float[] in8 = new float[8 * 784];
                for (int i = 0; i < 50; i++) m.run(in8, 8);
                for (int hogs : new int[] {0, 1, 2, 3}) {
                    spin = true;
                    Thread[] ts = new Thread[hogs];
                    for (int k = 0; k < hogs; k++) { ts[k] = new Thread(() -> { long x = 0; while (spin) { x++; } }); ts[k].start(); }
                    long end = System.nanoTime() + 3_000_000_000L; double ms = 0; int n = 0;
                    while (System.nanoTime() < end) { long s = System.nanoTime(); m.run(in8, 8); ms += (System.nanoTime() - s) / 1e6; n++; }
                    spin = false;
                    for (Thread t : ts) t.join();
                    System.out.printf("%s batch 8, %d spinning threads beside: %.2f ms (profile p50 %.2f: %.2fx)%n", id, hogs, ms / n,
                            v.profile().p50Ms(8), ms / n / v.profile().p50Ms(8));
                }
            }
        }
    }
}
