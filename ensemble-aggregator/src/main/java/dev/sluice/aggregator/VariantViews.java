package dev.sluice.aggregator;

/**
 * Member ids of self-consistency plans: view {@code i} of variant {@code vgg} is the member
 * {@code vgg#view<i>} (one test-time augmentation, or one sample of a stochastic variant).
 * Each view needs its own id: several outputs under one id are taken for redeliveries.
 */
public final class VariantViews {
    public static final char SEPARATOR = '#';

    private VariantViews() {}

    /** The member id of one view of a variant. */
    public static String view(String variant, int view) {
        if (view < 0) {
            throw new IllegalArgumentException("view must not be negative: " + view);
        }
        return variant + SEPARATOR + "view" + view;
    }

    /** The variant a member id is a view of; the id itself when it names no view. */
    public static String baseOf(String memberId) {
        int i = memberId.indexOf(SEPARATOR);
        return i < 0 ? memberId : memberId.substring(0, i);
    }
}
