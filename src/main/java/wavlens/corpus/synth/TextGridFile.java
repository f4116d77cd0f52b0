package wavlens.corpus.synth;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Praat TextGrid in the long ("ooTextFile") text format, UTF-8, interval tiers only. A small
 * private writer so this package does not depend on the corpus package's reader/writer.
 */
final class TextGridFile {
    private TextGridFile() {}

    /** The file text for tiers (in order) that each run contiguously from 0 to duration. */
    static String format(double duration, Map<String, List<Interval>> tiers) {
        StringBuilder sb = new StringBuilder();
        sb.append("File type = \"ooTextFile\"\n");
        sb.append("Object class = \"TextGrid\"\n\n");
        sb.append("xmin = 0 \n");
        sb.append("xmax = ").append(number(duration)).append(" \n");
        sb.append("tiers? <exists> \n");
        sb.append("size = ").append(tiers.size()).append(" \n");
        sb.append("item []: \n");
        int t = 1;
        for (Map.Entry<String, List<Interval>> tier : tiers.entrySet()) {
            List<Interval> intervals = tier.getValue();
            sb.append("    item [").append(t++).append("]:\n");
            sb.append("        class = \"IntervalTier\" \n");
            sb.append("        name = ").append(quoted(tier.getKey())).append(" \n");
            sb.append("        xmin = 0 \n");
            sb.append("        xmax = ").append(number(duration)).append(" \n");
            sb.append("        intervals: size = ").append(intervals.size()).append(" \n");
            for (int i = 0; i < intervals.size(); i++) {
                Interval iv = intervals.get(i);
                sb.append("        intervals [").append(i + 1).append("]:\n");
                sb.append("            xmin = ").append(number(iv.start())).append(" \n");
                sb.append("            xmax = ").append(number(iv.end())).append(" \n");
                sb.append("            text = ").append(quoted(iv.label())).append(" \n");
            }
        }
        return sb.toString();
    }

    /** Seconds with 9 decimals (1 ns, far below a 16 kHz sample), trailing zeros dropped. */
    static String number(double seconds) {
        String s = String.format(Locale.ROOT, "%.9f", seconds);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** Praat quotes strings with " and doubles any " inside. */
    private static String quoted(String text) {
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }
}
