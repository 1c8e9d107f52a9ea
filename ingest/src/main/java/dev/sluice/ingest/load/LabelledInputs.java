package dev.sluice.ingest.load;

import dev.sluice.avro.Tensor;
import dev.sluice.models.FashionMnist;
import dev.sluice.schemas.Tensors;
import java.util.List;

/** Labelled samples a load runner replays: each sample's tensors (one per modality) and true label. */
public interface LabelledInputs {
    int size();

    int label(int i);

    /** The modalities every sample carries, in the order of {@link #tensors}. */
    List<String> modalities();

    List<Tensor> tensors(int i);

    /** Fashion-MNIST images as single-modality requests (the tensor named "input", as image clients send it). */
    static LabelledInputs images(FashionMnist data) {
        return new LabelledInputs() {
            @Override
            public int size() {
                return data.size();
            }

            @Override
            public int label(int i) {
                return data.labels()[i];
            }

            @Override
            public List<String> modalities() {
                return List.of("image");
            }

            @Override
            public List<Tensor> tensors(int i) {
                return List.of(Tensors.fp32("input", new long[] {1, 1, 28, 28}, data.images()[i]));
            }
        };
    }
}
