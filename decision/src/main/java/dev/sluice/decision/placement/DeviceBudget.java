package dev.sluice.decision.placement;

/**
 * What a placement may use: {@code devices} devices of one class, each with {@code memoryMb} of
 * memory for the models placed on it.
 *
 * @param devices how many devices
 * @param memoryMb each device's memory for models (MB)
 * @param deviceClass the device profile's name (reports only)
 */
public record DeviceBudget(int devices, double memoryMb, String deviceClass) {
    public DeviceBudget {
        if (devices < 1) {
            throw new IllegalArgumentException("a device budget needs at least one device, got " + devices);
        }
        if (!(memoryMb > 0)) {
            throw new IllegalArgumentException("device memory must be positive, got " + memoryMb + " MB");
        }
    }
}
