package wavlens.corpus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A time alignment of one utterance: tiers by name, in file order (MFA writes "words" and
 * "phones"). Times are seconds from the start of the utterance's audio: for a whole file that is
 * the file start; for a Kaldi segment the readers shift CTM times so that 0 is the segment start.
 */
public record Alignment(String source, double xmin, double xmax, Map<String, Tier> tiers) {
    public Alignment {
        tiers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tiers));
    }

    /** The tier with this name, or a UserError naming the file and listing the tiers it has. */
    public Tier tier(String name) {
        Tier t = tiers.get(name);
        if (t == null) {
            throw wavlens.io.UserError.inFile(source, "no tier named '" + name + "'; tiers: " + describeTiers());
        }
        return t;
    }

    /**
     * The first of these tier names that is present, or null. Names are compared ignoring case,
     * and "words" also finds "anna - words": MFA prefixes the speaker when a file has several
     * (then the first speaker's tier is returned).
     */
    public Tier firstTier(String... names) {
        for (String wanted : names) {
            for (Tier t : tiers.values()) {
                if (t.name().equalsIgnoreCase(wanted)) return t;
            }
            String suffix = " - " + wanted.toLowerCase(java.util.Locale.ROOT);
            for (Tier t : tiers.values()) {
                if (t.name().toLowerCase(java.util.Locale.ROOT).endsWith(suffix)) return t;
            }
        }
        return null;
    }

    /** This alignment with one more tier (replacing a tier of the same name), e.g. a derived "letters" tier. */
    public Alignment with(Tier tier) {
        Map<String, Tier> more = new LinkedHashMap<>(tiers);
        more.put(tier.name(), tier);
        return new Alignment(source, xmin, xmax, more);
    }

    public String describeTiers() {
        if (tiers.isEmpty()) return "(none)";
        StringBuilder sb = new StringBuilder();
        for (Tier t : tiers.values()) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append('\'').append(t.name()).append('\'').append(t.pointTier() ? " (points)" : "");
        }
        return sb.toString();
    }

    /** Allowed overhang of an alignment past the end of its audio: CTM and TextGrid writers round
     *  times to 1/100 s, so up to 10 ms is rounding, more is a mismatched file. */
    public static final double AUDIO_END_TOLERANCE_SEC = 0.01;

    /**
     * Why this alignment does not fit audio of the given length, or null when it fits (every tier
     * and item ends by audioSeconds + {@link #AUDIO_END_TOLERANCE_SEC}).
     */
    public String mismatchWithAudio(double audioSeconds) {
        double limit = audioSeconds + AUDIO_END_TOLERANCE_SEC;
        for (Tier t : tiers.values()) {
            for (int i = 0; i < t.items().size(); i++) {
                Interval iv = t.items().get(i);
                if (iv.end() > limit) {
                    return String.format(java.util.Locale.ROOT,
                            "tier '%s' %s %d (%s) ends at %.3f s, beyond the audio (%.3f s)",
                            t.name(), t.pointTier() ? "point" : "interval", i + 1, quote(iv.text()), iv.end(), audioSeconds);
                }
            }
        }
        return null;
    }

    static String quote(String text) {
        return "\"" + text + "\"";
    }
}
