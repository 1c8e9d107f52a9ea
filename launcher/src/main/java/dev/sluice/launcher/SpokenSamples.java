package dev.sluice.launcher;

import dev.sluice.avro.Tensor;
import dev.sluice.bench.multimodal.MultimodalBenchmark;
import dev.sluice.ingest.load.LabelledInputs;
import dev.sluice.ingest.load.MultimodalRequests;
import dev.sluice.models.SpokenFashionMnist;
import java.util.List;

/** The spoken Fashion-MNIST test split as the benchmarks' samples; whole requests carry both modalities. */
final class SpokenSamples implements LabelledInputs, MultimodalBenchmark.Samples {
    private final SpokenFashionMnist data;

    private SpokenSamples(SpokenFashionMnist data) {
        this.data = data;
    }

    static SpokenSamples test() {
        return new SpokenSamples(SpokenFashionMnist.test());
    }

    @Override
    public int size() {
        return data.size();
    }

    @Override
    public int label(int i) {
        return data.label(i);
    }

    @Override
    public float[] image(int i) {
        return data.image(i);
    }

    @Override
    public float[] audio(int i) {
        return data.audio(i);
    }

    @Override
    public List<String> modalities() {
        return List.of(MultimodalRequests.IMAGE, MultimodalRequests.AUDIO);
    }

    @Override
    public List<Tensor> tensors(int i) {
        return List.of(MultimodalRequests.image(data.image(i)), MultimodalRequests.audio(data.audio(i)));
    }
}
