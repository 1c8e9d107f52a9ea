package dev.sluice.launcher;

import dev.sluice.executor.profile.OnnxSignature;
import dev.sluice.models.BatchingConfig;
import dev.sluice.models.Catalog;
import dev.sluice.models.OutputKind;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A catalog entry for a model nobody here trained, drafted from what its ONNX file declares and
 * checked against the task it joins, before anything is measured: every refusal says what to
 * change.
 */
final class NewVariant {
    /** Variant ids become topic names (sluice.tasks.ID) and Kubernetes names. */
    static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?");

    private NewVariant() {}

    static Variant draft(String id, String task, String modality, String fileName, OnnxSignature onnx, Catalog catalog,
            BatchingConfig batching, String preprocessing) {
        return draft(id, task, modality, fileName, onnx, catalog, batching, preprocessing, OutputKind.CLASSES);
    }

    /** {@code kind}: a classifier (its first output class scores), or a model whose output tensors are served as they are. */
    static Variant draft(String id, String task, String modality, String fileName, OnnxSignature onnx, Catalog catalog,
            BatchingConfig batching, String preprocessing, OutputKind kind) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("variant id '" + id + "' must be lower-case letters, digits and '-', 1-40 "
                    + "characters, starting and ending with a letter or digit (it names the topic sluice.tasks." + id + ")");
        }
        if (catalog.variant(id).isPresent()) {
            throw new IllegalArgumentException("the catalog already has a variant '" + id + "'; pick another id (or remove it "
                    + "from the catalog file first)");
        }
        if (onnx.inputs().size() != 1) {
            throw new IllegalArgumentException(fileName + " has " + onnx.inputs().size() + " inputs " + names(onnx.inputs())
                    + "; catalog add takes one-input models (write a multi-input entry by hand, see models/catalog-multimodal.yaml)");
        }
        if (onnx.outputs().isEmpty()) {
            throw new IllegalArgumentException(fileName + " declares no output");
        }
        TensorSpec in = onnx.inputs().get(0);
        TensorSpec out = onnx.outputs().get(0);
        for (TensorSpec t : List.of(in, out)) {
            if (t.shape().isEmpty() || t.shape().get(0) != -1) {
                throw new IllegalArgumentException(fileName + ": tensor '" + t.name() + "' has shape " + t.shape()
                        + "; its first axis must be a dynamic batch axis (export with dynamic_axes={'" + t.name() + "': {0: 'batch'}})");
            }
            for (int i = 1; i < t.shape().size(); i++) {
                if (t.shape().get(i) < 1) {
                    throw new IllegalArgumentException(fileName + ": tensor '" + t.name() + "' has shape " + t.shape()
                            + "; only the batch axis may be dynamic");
                }
            }
            if (!t.datatype().equals("FP32")) {
                throw new IllegalArgumentException(fileName + ": tensor '" + t.name() + "' is " + t.datatype()
                        + "; executors feed and read FP32 tensors");
            }
        }
        if (kind == OutputKind.CLASSES && (out.shape().size() != 2 || out.shape().get(1) < 2)) {
            throw new IllegalArgumentException(fileName + ": output '" + out.name() + "' has shape " + out.shape()
                    + "; a classifier's output is a class score vector [batch, classes] (2 or more classes), "
                    + "not embeddings, regressions or detections: serve those with --output-kind tensors");
        }
        List<Variant> peers = catalog.forTask(task);
        if (!peers.isEmpty() && peers.get(0).outputKind() != kind) {
            throw new IllegalArgumentException("task '" + task + "' has variants whose output kind is "
                    + peers.get(0).outputKind().name().toLowerCase(java.util.Locale.ROOT) + " (variant '" + peers.get(0).id()
                    + "'), not " + kind.name().toLowerCase(java.util.Locale.ROOT) + "; a task's variants answer alike");
        }
        if (kind == OutputKind.TENSORS && !peers.isEmpty() && !peers.get(0).output().shape().equals(out.shape())) {
            throw new IllegalArgumentException(fileName + " answers " + out.shape() + " but task '" + task + "' answers "
                    + peers.get(0).output().shape() + " (variant '" + peers.get(0).id() + "')");
        }
        if (!peers.isEmpty()) { // requests of the task must fit it, and its answers must be votes among the same classes
            Variant peer = peers.get(0);
            if (peer.inputs().size() > 0 || !peer.input().shape().subList(1, peer.input().shape().size())
                    .equals(in.shape().subList(1, in.shape().size()))) {
                throw new IllegalArgumentException(fileName + " takes " + in.shape() + " but task '" + task + "' sends "
                        + (peer.inputs().isEmpty() ? peer.input().shape() : names(peer.inputs())) + " (as variant '" + peer.id()
                        + "' takes it); requests of the task could not be fed to it");
            }
            if (peer.output().sampleSize() != out.sampleSize()) {
                throw new IllegalArgumentException(fileName + " answers " + out.sampleSize() + " classes but task '" + task
                        + "' has " + peer.output().sampleSize() + " (variant '" + peer.id() + "')");
            }
        }
        if (!peers.isEmpty() && !peers.get(0).modalities().equals(List.of(modality))) {
            throw new IllegalArgumentException("task '" + task + "' takes " + peers.get(0).modalities() + " (variant '"
                    + peers.get(0).id() + "'), not '" + modality + "'; pass --modality " + peers.get(0).modalities().get(0));
        }
        return new Variant(id, task, List.of(modality), fileName, in, null, out, preprocessing, null, null, null, batching, null,
                kind);
    }

    private static List<String> names(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::name).toList();
    }
}
