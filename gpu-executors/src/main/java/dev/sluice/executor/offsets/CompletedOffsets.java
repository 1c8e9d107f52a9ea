package dev.sluice.executor.offsets;

import java.util.ArrayList;
import java.util.List;

/**
 * A committed position of one partition plus the offsets above it that are already done, and
 * their compact text form for the commit's {@code OffsetAndMetadata} metadata.
 *
 * <p>Why: tasks of one partition can finish out of order (priorities, deadline drops), but a
 * Kafka commit is one position. The position is the lowest offset not done; the done offsets
 * above it ride along in the metadata so that a new owner (after a crash or a rebalance)
 * re-reads from the position but skips what already has a committed output.
 *
 * <p>Form: {@code s1:} then comma-separated ranges, each {@code gap} or {@code gap.length} in
 * base 36, where gap is the distance from the end of the previous range (the position for the
 * first one) to the range's first offset and length is omitted when 1. Position 100 with done
 * offsets 102, 103 and 110 is {@code s1:2.2,6}. Nothing done above the position is the empty
 * string.
 */
public final class CompletedOffsets {
    /** The broker's default offset.metadata.max.bytes. */
    public static final int BROKER_METADATA_LIMIT = 4096;
    static final String PREFIX = "s1:";

    /** Done offsets [from, to). */
    public record Range(long from, long to) {
        public Range {
            if (to <= from) {
                throw new IllegalArgumentException("empty range [" + from + ", " + to + ")");
            }
        }
    }

    private final long position;
    private final List<Range> ranges; // sorted, disjoint, not touching each other or the position

    private CompletedOffsets(long position, List<Range> ranges) {
        this.position = position;
        this.ranges = ranges;
    }

    /**
     * From any sorted, disjoint ranges at or above {@code position}: ranges that start at the
     * position move it up (everything below the new position is done), touching ranges merge.
     */
    public static CompletedOffsets of(long position, List<Range> sortedRanges) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position " + position);
        }
        long pos = position;
        List<Range> out = new ArrayList<>();
        long lastTo = Long.MIN_VALUE;
        for (Range r : sortedRanges) {
            if (r.from() < lastTo || r.from() < position) {
                throw new IllegalArgumentException("ranges must be sorted, disjoint and at or above " + position + ": " + sortedRanges);
            }
            lastTo = r.to();
            if (out.isEmpty() && r.from() <= pos) {
                pos = r.to();
            } else if (!out.isEmpty() && out.get(out.size() - 1).to() == r.from()) {
                out.set(out.size() - 1, new Range(out.get(out.size() - 1).from(), r.to()));
            } else {
                out.add(r);
            }
        }
        return new CompletedOffsets(pos, List.copyOf(out));
    }

    public static CompletedOffsets none(long position) {
        return of(position, List.of());
    }

    public long position() {
        return position;
    }

    public List<Range> ranges() {
        return ranges;
    }

    /** Whether {@code offset} is done: below the position or in a range. */
    public boolean isDone(long offset) {
        if (offset < position) {
            return true;
        }
        for (Range r : ranges) {
            if (offset < r.from()) {
                return false;
            }
            if (offset < r.to()) {
                return true;
            }
        }
        return false;
    }

    /** The done ranges that reach {@code offset} or above, clipped to start there. */
    public List<Range> rangesFrom(long offset) {
        List<Range> out = new ArrayList<>();
        for (Range r : ranges) {
            if (r.to() > offset) {
                out.add(new Range(Math.max(r.from(), offset), r.to()));
            }
        }
        return out;
    }

    public String encode() {
        if (ranges.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(PREFIX);
        long prevEnd = position;
        for (Range r : ranges) {
            if (prevEnd != position) {
                b.append(',');
            }
            b.append(Long.toString(r.from() - prevEnd, 36));
            long len = r.to() - r.from();
            if (len != 1) {
                b.append('.').append(Long.toString(len, 36));
            }
            prevEnd = r.to();
        }
        return b.toString();
    }

    /**
     * This, without the highest ranges that do not fit {@code maxChars} encoded. The offsets
     * dropped would run again after a crash: callers hold completions back so this never bites.
     */
    public CompletedOffsets truncatedTo(int maxChars) {
        List<Range> keep = new ArrayList<>(ranges);
        CompletedOffsets c = this;
        while (c.encode().length() > maxChars) {
            keep.remove(keep.size() - 1);
            c = new CompletedOffsets(position, List.copyOf(keep));
        }
        return c;
    }

    /** Reads the metadata of a commit at {@code position}; null or empty means nothing done above it. */
    public static CompletedOffsets decode(long position, String metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return none(position);
        }
        if (!metadata.startsWith(PREFIX)) {
            throw new IllegalArgumentException("offset metadata '" + abbreviate(metadata) + "' is not Sluice's completed offsets (" + PREFIX + "...)");
        }
        List<Range> out = new ArrayList<>();
        long prevEnd = position;
        try {
            for (String part : metadata.substring(PREFIX.length()).split(",", -1)) {
                int dot = part.indexOf('.');
                long gap = Long.parseLong(dot < 0 ? part : part.substring(0, dot), 36);
                long len = dot < 0 ? 1 : Long.parseLong(part.substring(dot + 1), 36);
                if (gap < 1 || len < 1) {
                    throw new IllegalArgumentException("gap and length must be >= 1 in '" + part + "'");
                }
                long from = Math.addExact(prevEnd, gap);
                Range r = new Range(from, Math.addExact(from, len));
                out.add(r);
                prevEnd = r.to();
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("malformed completed-offsets metadata '" + abbreviate(metadata) + "': " + e.getMessage(), e);
        }
        return new CompletedOffsets(position, List.copyOf(out));
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CompletedOffsets c && c.position == position && c.ranges.equals(ranges);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(position) * 31 + ranges.hashCode();
    }

    @Override
    public String toString() {
        return "CompletedOffsets{position=" + position + ", done=" + ranges + "}";
    }
}
