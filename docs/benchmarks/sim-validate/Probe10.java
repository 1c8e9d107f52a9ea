// A heavy variant's batch of 8 back to back for N seconds (args: VARIANT SECONDS), in its own JVM: the probe of sim.md's
// dropped-against-answered check, run as java -cp "dev-launcher/target/sluice-dev.jar:dev-launcher/target/lib/*" THIS VARIANT 8
import dev.sluice.executor.runtime.Device;
import dev.sluice.executor.runtime.OnnxModel;
import dev.sluice.models.Catalog;
import dev.sluice.models.Variant;
import java.nio.file.Path;

public class Probe10 {
    public static void main(String[] a) throws Exception {
        Catalog c = Catalog.load(Path.of("models/catalog.yaml"));
        Variant v = c.variant(a[0]).orElseThrow();
        double secs = Double.parseDouble(a[1]);
        try (OnnxModel m = OnnxModel.load(v, Path.of("models"), Device.CPU, 2)) {
            float[] in8 = new float[8 * 784];
            for (int i = 0; i < 20; i++) m.run(in8, 8);
            long end = System.nanoTime() + (long) (secs * 1e9); double ms = 0; int n = 0;
            while (System.nanoTime() < end) { long s = System.nanoTime(); m.run(in8, 8); ms += (System.nanoTime() - s) / 1e6; n++; }
            System.out.printf("PROBE %s batch 8: %.2f ms over %d%n", a[0], ms / n, n);
        }
    }
}
