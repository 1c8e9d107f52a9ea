package dev.sluice.executor;

import dev.sluice.avro.InferenceTask;
import dev.sluice.avro.Tensor;
import dev.sluice.executor.runtime.InputViews;
import dev.sluice.models.TensorSpec;
import dev.sluice.models.Variant;
import dev.sluice.schemas.Tensors;
import dev.sluice.decision.VariantViews;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Lays the input tensors of a batch of tasks out as the model takes them: one flat float array per
 * model input ({@link Variant#allInputs()}, in the model's order), samples back to back. Pure; one
 * executor thread owns an instance and its reused buffers.
 *
 * <p>A one-input model is fed the task's {@code input}, whatever its name (image requests name it
 * {@code input}); a self-consistency member ({@code variant#view<i>}) gets that test-time view of
 * the image ({@link InputViews}), which only a one-input 1x28x28 model takes. A model with several
 * inputs takes, for each input, the task tensor of the same name, from {@code input} or
 * {@code extra_inputs} in any order (the selector names each tensor after its modality, equal to
 * the model's input names). {@link #problem} says why a task cannot feed the model, before it
 * joins a batch, so that it fails alone.
 */
public final class TaskInputs {
    private final String variantId;
    private final List<TensorSpec> specs;
    private final boolean multi;
    private final int[] sampleSizes;
    private final int[] sampleBytes;
    private final float[][] scratch;

    public TaskInputs(Variant variant, int maxBatch) {
        this.variantId = variant.id();
        this.specs = variant.allInputs();
        this.multi = specs.size() > 1;
        this.sampleSizes = new int[specs.size()];
        this.sampleBytes = new int[specs.size()];
        this.scratch = new float[specs.size()][];
        for (int k = 0; k < specs.size(); k++) {
            TensorSpec s = specs.get(k);
            int size = Tensors.elementSize(s.datatype());
            if (!"FP32".equals(s.datatype())) {
                throw new IllegalArgumentException("variant '" + variantId + "': input '" + s.name() + "' is " + s.datatype()
                        + "; only FP32 inputs are served");
            }
            sampleSizes[k] = s.sampleSize();
            sampleBytes[k] = sampleSizes[k] * size;
            scratch[k] = new float[Math.max(maxBatch, 1) * sampleSizes[k]];
        }
    }

    public int inputCount() {
        return specs.size();
    }

    /** Why {@code task} cannot feed this model, or null when it can. */
    public String problem(InferenceTask task) {
        int view;
        try {
            view = VariantViews.viewOf(task.getVariant());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (view >= 0 && (multi || sampleSizes[0] != InputViews.SAMPLE)) {
            return "views need one 1x28x28 input; " + variantId + " takes " + describe();
        }
        if (!multi) {
            return tensorProblem(task.getInput(), 0);
        }
        for (int k = 0; k < specs.size(); k++) {
            String name = specs.get(k).name();
            Tensor found = null;
            int matches = 0;
            if (name.equals(task.getInput().getName())) {
                found = task.getInput();
                matches++;
            }
            for (Tensor t : task.getExtraInputs()) {
                if (name.equals(t.getName())) {
                    found = found == null ? t : found;
                    matches++;
                }
            }
            if (found == null) {
                return "no '" + name + "' tensor: " + variantId + " takes " + describe() + ", the task carries "
                        + carried(task) + " (input and extra_inputs)";
            }
            if (matches > 1) {
                return "the task carries " + matches + " tensors named '" + name + "'; " + variantId + " takes one";
            }
            String p = tensorProblem(found, k);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private String tensorProblem(Tensor t, int k) {
        TensorSpec spec = specs.get(k);
        String what = multi ? "tensor '" + spec.name() + "'" : "input '" + t.getName() + "'";
        if (!spec.datatype().equals(t.getDatatype())) {
            return what + " has datatype " + t.getDatatype() + "; " + variantId + " takes " + spec.datatype();
        }
        int bytes = t.getData().remaining();
        if (bytes != sampleBytes[k] || (!t.getShape().isEmpty() && Tensors.elements(t.getShape()) != sampleSizes[k])) {
            return what + " has shape " + t.getShape() + " (" + bytes + " bytes); " + variantId + " takes one sample of "
                    + spec.shape().subList(1, spec.shape().size()) + " " + spec.datatype() + " (" + sampleBytes[k] + " bytes)";
        }
        return null;
    }

    private String describe() {
        List<String> s = new ArrayList<>();
        for (TensorSpec spec : specs) {
            s.add(spec.name() + " " + spec.shape().subList(1, spec.shape().size()));
        }
        return String.join(", ", s);
    }

    private static List<String> carried(InferenceTask task) {
        List<String> names = new ArrayList<>();
        names.add(task.getInput().getName());
        task.getExtraInputs().forEach(t -> names.add(t.getName()));
        return names;
    }

    /**
     * Copies the inputs of {@code n} tasks ({@code task.apply(i)}, each one {@link #problem} passed)
     * into the reused buffers and returns them, one per model input; only the first
     * {@code n * sampleSize} floats of each belong to this batch.
     */
    public float[][] fill(int n, IntFunction<InferenceTask> task) {
        if (n > scratch[0].length / sampleSizes[0]) {
            throw new IllegalArgumentException(n + " tasks for buffers of " + scratch[0].length / sampleSizes[0]);
        }
        if (!multi) {
            int sample = sampleSizes[0];
            float[] dst = scratch[0];
            for (int i = 0; i < n; i++) {
                InferenceTask t = task.apply(i);
                Tensors.readFp32(t.getInput(), dst, i * sample, sample);
                int view = VariantViews.viewOf(t.getVariant());
                if (view >= 0) { // self-consistency: this member is one test-time view of the input
                    InputViews.apply(view, dst, i * sample);
                }
            }
            return scratch;
        }
        for (int i = 0; i < n; i++) {
            InferenceTask t = task.apply(i);
            for (int k = 0; k < specs.size(); k++) {
                Tensors.readFp32(named(t, specs.get(k).name()), scratch[k], i * sampleSizes[k], sampleSizes[k]);
            }
        }
        return scratch;
    }

    /** {@link #fill(int, IntFunction)} over a list. */
    public float[][] fill(List<InferenceTask> tasks) {
        return fill(tasks.size(), tasks::get);
    }

    private static Tensor named(InferenceTask t, String name) {
        if (name.equals(t.getInput().getName())) {
            return t.getInput();
        }
        for (Tensor x : t.getExtraInputs()) {
            if (name.equals(x.getName())) {
                return x;
            }
        }
        throw new IllegalArgumentException("task " + t.getRequestId() + " has no '" + name + "' tensor");
    }
}
