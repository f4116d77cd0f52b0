package wavlens.corpus;

import java.util.List;

/**
 * One tier of an alignment. An interval tier covers [xmin, xmax] without gaps or overlaps (gaps in
 * the input are filled with empty = silent intervals when the tier is read); a point tier holds
 * strictly increasing points (Interval with start == end).
 */
public record Tier(String name, boolean pointTier, double xmin, double xmax, List<Interval> items) {
    public Tier {
        items = List.copyOf(items);
    }

    /**
     * The interval containing time t. Intervals are half-open [start, end), so a time exactly on a
     * boundary belongs to the later interval; the tier's own end xmax belongs to the last one.
     * Returns null outside the tier or for a point tier.
     */
    public Interval intervalAt(double t) {
        if (pointTier || items.isEmpty() || t < items.getFirst().start() || t > items.getLast().end()) return null;
        int lo = 0, hi = items.size() - 1;
        while (lo < hi) { // last interval whose start <= t
            int mid = (lo + hi + 1) >>> 1;
            if (items.get(mid).start() <= t) lo = mid;
            else hi = mid - 1;
        }
        Interval found = items.get(lo);
        return t < found.end() || lo == items.size() - 1 ? found : null;
    }
}
