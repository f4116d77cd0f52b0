package wavlens.corpus;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wavlens.io.UserError;

/**
 * NIST CTM time-marked conversation files, as Kaldi writes them: one token per line,
 * {@code key channel start duration token [confidence]}, times in seconds, {@code ;;} comments.
 * The key is an utterance id (times from the utterance start, Kaldi's default) or, after Kaldi's
 * {@code convert_ctm.pl}, a recording id (times from the recording start).
 *
 * <p>A CTM lists only tokens, so the time between them is silence: gaps become empty intervals
 * without a warning. A line that cannot be read is reported with its number and its key is marked
 * broken, so that utterance gets no alignment rather than one with a word missing.
 */
public final class Ctm {
    private Ctm() {}

    public record Entry(String key, double start, double duration, String token, int line) {
        public double end() {
            return start + duration;
        }
    }

    /** Entries grouped by key in file order, and the keys that had an unreadable line. */
    public record Contents(Map<String, List<Entry>> byKey, Set<String> brokenKeys) {}

    public static Contents read(Path file, List<Problem> problems) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (MalformedInputException e) {
            throw UserError.inFile(file, "not valid UTF-8 text");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
        Map<String, List<Entry>> byKey = new LinkedHashMap<>();
        Set<String> broken = new LinkedHashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith(";;")) continue;
            String[] f = line.split("\\s+");
            int lineNo = i + 1;
            if (f.length != 5 && f.length != 6) {
                problems.add(new Problem(file.toString(), "line " + lineNo + ": " + f.length
                        + " fields, expected 'utterance channel start duration token [confidence]'"));
                broken.add(f[0]);
                continue;
            }
            double start, duration;
            try {
                start = Double.parseDouble(f[2]);
                duration = Double.parseDouble(f[3]);
            } catch (NumberFormatException e) {
                problems.add(new Problem(file.toString(), "line " + lineNo + ": start '" + f[2] + "' or duration '" + f[3] + "' is not a number"));
                broken.add(f[0]);
                continue;
            }
            if (!(start >= 0) || !(duration >= 0) || !Double.isFinite(start + duration)) {
                problems.add(new Problem(file.toString(), "line " + lineNo + ": negative or non-finite time (start " + f[2] + ", duration " + f[3] + ")"));
                broken.add(f[0]);
                continue;
            }
            byKey.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new Entry(f[0], start, duration, f[4], lineNo));
        }
        return new Contents(byKey, broken);
    }

    /** The entries whose midpoint lies in [fromSec, toSec]: a recording's tokens for one of its segments. */
    public static List<Entry> within(List<Entry> entries, double fromSec, double toSec) {
        List<Entry> inside = new ArrayList<>();
        for (Entry e : entries) {
            double mid = e.start() + e.duration() / 2;
            if (mid >= fromSec && mid <= toSec) inside.add(e);
        }
        return inside;
    }

    /**
     * One utterance's alignment from its CTM entries (all of one utterance id, or a recording's
     * entries chosen by {@link #within}), shifted by offsetSec so the utterance starts at 0, in a
     * single interval tier covering [0, durationSec]. Tokens ending up to
     * {@link Alignment#AUDIO_END_TOLERANCE_SEC} past the end are clipped (CTM times are rounded to
     * 1/100 s); further out, or overlapping, is an error.
     */
    public static Alignment toAlignment(String source, List<Entry> entries, double offsetSec, double durationSec,
                                        String tierName, List<Problem> warnings) {
        List<Entry> inside = new ArrayList<>(entries);
        inside.sort(Comparator.comparingDouble(Entry::start)); // the format does not promise an order
        List<Interval> raw = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        for (Entry e : inside) {
            double s = Math.max(0, e.start() - offsetSec);
            double end = e.end() - offsetSec;
            if (end > durationSec + Alignment.AUDIO_END_TOLERANCE_SEC) {
                throw UserError.inFile(source, "line " + e.line() + ": '" + e.token() + "' ends at " + TextGrid.num(end)
                        + " s, beyond the audio (" + TextGrid.num(durationSec) + " s)");
            }
            raw.add(new Interval(s, Math.min(end, durationSec), e.token()));
            lines.add(e.line());
        }
        Tier tier = TextGrid.checkedIntervalTier(source, tierName, 0, durationSec, raw, lines, false, warnings);
        return new Alignment(source, 0, durationSec, Map.of(tierName, tier));
    }
}
