package dev.sluice.sim.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.Catalog;
import dev.sluice.models.LatencyPoint;
import dev.sluice.models.Variant;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceProfileTest {
    private static final Catalog ZOO = Catalog.load(Path.of("../models/catalog.yaml"));

    @Test
    void theMeasuredCpuProfileIsTheCatalogs() {
        Catalog costed = DeviceProfile.load("cpu-2core-measured").applyTo(ZOO);
        for (Variant v : ZOO.variants()) {
            Variant c = costed.variant(v.id()).orElseThrow();
            assertEquals(v.profile().p99Ms(8), c.profile().p99Ms(8), 1e-9, v.id());
            assertEquals(v.accuracy(), c.accuracy());
        }
    }

    @Test
    void theGpuProfileIsLabelledDerivedAndScalesFlatterThanTheCpu() {
        DeviceProfile gpu = DeviceProfile.load("gpu-ampere-derived");
        assertEquals("derived", gpu.kind());
        assertTrue(gpu.source().contains("not measured"));
        Catalog costed = gpu.applyTo(ZOO);
        Variant cpu = ZOO.variant("vgg-tta").orElseThrow();
        Variant g = costed.variant("vgg-tta").orElseThrow();
        assertTrue(g.profile().p50Ms(1) < cpu.profile().p50Ms(1));
        double cpuGrowth = cpu.profile().p50Ms(64) / cpu.profile().p50Ms(1);
        double gpuGrowth = g.profile().p50Ms(64) / g.profile().p50Ms(1);
        assertTrue(gpuGrowth < cpuGrowth / 2, cpuGrowth + " vs " + gpuGrowth);
    }

    @Test
    void derivationFollowsTheReferenceFit() {
        List<LatencyPoint> cpu = List.of(new LatencyPoint(1, 10, 11, 12), new LatencyPoint(8, 80, 88, 96));
        List<LatencyPoint> gpu = GpuDerivation.derive(cpu);
        double f = GpuDerivation.fixedFraction();
        double k = GpuDerivation.perSampleFraction();
        assertEquals(f * 10 + k * 10 * 1, gpu.get(0).p50Ms(), 1e-4);
        assertEquals(f * 10 + k * 10 * 8, gpu.get(1).p50Ms(), 1e-4);
        assertEquals(1.06 * gpu.get(1).p50Ms(), gpu.get(1).p99Ms(), 1e-4);
        assertTrue(f > 0.07 && f < 0.2 && k > 0.04 && k < 0.1, f + " " + k);
    }
}
