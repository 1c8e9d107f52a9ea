package dev.sluice.models;

import java.util.ArrayList;
import java.util.List;

/**
 * A labelled data set: per sample, one flat float array per modality ({@code image},
 * {@code audio}, ...) and the class. The profilers feed it to models, the load runner and the
 * benchmarks send it as requests.
 */
public interface LabelledSet {
    int size();

    /** The modalities every sample has, in the order requests carry them. */
    List<String> modalities();

    int label(int i);

    /** Sample {@code i} of {@code modality}, flat; the array may be shared: do not write to it. */
    float[] sample(String modality, int i);

    /** What it is, for progress lines (e.g. "10000 Fashion-MNIST images"). */
    String description();

    /** Fashion-MNIST images: the modality {@code image} only. */
    static LabelledSet images(FashionMnist data) {
        return new LabelledSet() {
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
            public float[] sample(String modality, int i) {
                if (!"image".equals(modality)) {
                    throw new IllegalArgumentException("Fashion-MNIST holds images only, not '" + modality
                            + "'; profile audio and multi-modality variants on spoken Fashion-MNIST");
                }
                return data.images()[i];
            }

            @Override
            public String description() {
                return data.size() + " Fashion-MNIST images";
            }
        };
    }

    /** Spoken Fashion-MNIST: the modalities {@code image} and {@code audio}. */
    static LabelledSet spoken(SpokenFashionMnist data) {
        return new LabelledSet() {
            @Override
            public int size() {
                return data.size();
            }

            @Override
            public int label(int i) {
                return data.label(i);
            }

            @Override
            public List<String> modalities() {
                return List.of("image", "audio");
            }

            @Override
            public float[] sample(String modality, int i) {
                return data.modality(modality, i);
            }

            @Override
            public String description() {
                return data.size() + " spoken Fashion-MNIST " + data.split() + " samples";
            }
        };
    }

    /**
     * The modality each input of {@code v} is fed, in the model's input order: a model with
     * several inputs names each after its modality; a one-input model takes its (first) modality.
     */
    static List<String> inputModalities(Variant v) {
        if (!v.isMultiInput()) {
            return List.of(v.modalities().isEmpty() ? "image" : v.modalities().get(0));
        }
        List<String> out = new ArrayList<>();
        v.allInputs().forEach(s -> out.add(s.name()));
        return out;
    }
}
