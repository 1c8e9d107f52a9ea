package dev.sluice.models;

/**
 * Model equivalence (Sommelier): {@code substitute} costs less per request than {@code variant} and
 * answers like it on at least the catalog's chosen share of the validation split ({@code agreement}:
 * the fraction of validation images both give the same label). Measured by {@code sluice profile},
 * never typed in; re-planning and load-shedding fall back to a substitute before any other cheaper
 * variant, since a substitute changes fewer answers than a merely accurate one.
 */
public record Substitute(String variant, String substitute, double agreement) {
    public Substitute {
        if (variant == null || substitute == null) {
            throw new IllegalArgumentException("catalog substitute needs 'variant' and 'substitute': " + variant + ", " + substitute);
        }
        if (variant.equals(substitute)) {
            throw new IllegalArgumentException("catalog substitute names " + variant + " as its own substitute");
        }
        if (!(agreement >= 0 && agreement <= 1)) {
            throw new IllegalArgumentException("catalog substitute " + substitute + " for " + variant + " has agreement "
                    + agreement + "; need [0,1]");
        }
    }
}
