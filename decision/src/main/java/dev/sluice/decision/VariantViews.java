package dev.sluice.decision;

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

    /** The view a member id names, or -1 when it names none (the plain variant). */
    public static int viewOf(String memberId) {
        int i = memberId.indexOf(SEPARATOR);
        if (i < 0) {
            return -1;
        }
        String rest = memberId.substring(i + 1);
        if (!rest.startsWith("view")) {
            throw new IllegalArgumentException("member id '" + memberId + "' names no view (want variant#view<i>)");
        }
        try {
            int v = Integer.parseInt(rest.substring(4));
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("member id '" + memberId + "' has a bad view number (want variant#view<i>)");
        }
    }

    /** The variant a member id is a view of; the id itself when it names no view. */
    public static String baseOf(String memberId) {
        int i = memberId.indexOf(SEPARATOR);
        return i < 0 ? memberId : memberId.substring(0, i);
    }
}
