import dev.sluice.executor.profile.EnsembleProfiler;
import dev.sluice.executor.runtime.Device;
import dev.sluice.models.Catalog;
import dev.sluice.models.FashionMnist;
import dev.sluice.models.Variant;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * distill.py's teacher on ONNX Runtime instead of torch (optional: about eight times less CPU on a
 * shared two-core host): each member's class probabilities on all 60,000 Fashion-MNIST training
 * images, in file order, written as float32 little-endian [members, 60000, classes]. Run from the
 * repository root after a build (./sluice builds it):
 *
 *   java -cp "launcher/target/sluice-launcher.jar:launcher/target/lib/*" models/scripts/TeacherProbs.java \
 *       models/catalog.yaml vgg-tta,vgg-b-tta models/scripts/.cache/teacher-ort-train.f32
 *
 * then /usr/bin/python3 models/scripts/distill.py --teacher-probs models/scripts/.cache/teacher-ort-train.f32
 * (distill.py checks them against its own torch teacher on the validation images first).
 */
public class TeacherProbs {
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: TeacherProbs CATALOG VARIANT,... OUT");
            System.exit(2);
        }
        Path catalogFile = Path.of(args[0]);
        Catalog catalog = Catalog.load(catalogFile);
        List<Variant> members = new ArrayList<>();
        for (String id : args[1].split(",")) {
            members.add(catalog.variant(id).orElseThrow(() -> new IllegalArgumentException("no variant " + id)));
        }
        FashionMnist train = FashionMnist.train();
        long t0 = System.nanoTime();
        Map<String, EnsembleProfiler.MemberOutputs> out = new EnsembleProfiler(Device.CPU, 2).run(members,
                catalogFile.toAbsolutePath().getParent(), train, System.out::println);
        Path file = Path.of(args[2]);
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream os = Files.newOutputStream(file)) {
            for (Variant v : members) {
                float[] p = out.get(v.id()).probabilities();
                ByteBuffer b = ByteBuffer.allocate(p.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(p);
                os.write(b.array());
            }
        }
        System.out.printf("%s: %d images, %.0f s, written to %s%n", args[1], train.size(), (System.nanoTime() - t0) / 1e9, file);
    }
}
