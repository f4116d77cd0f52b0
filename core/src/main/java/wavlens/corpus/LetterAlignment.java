package wavlens.corpus;

import java.util.ArrayList;
import java.util.List;

/**
 * A letter tier derived from a forced alignment's "words" and "phones" tiers (what MFA writes),
 * so frames can be labelled with letters when no aligner gives letters directly.
 *
 * <p>For each word, the letter table rewrites its letters into phone units chunk by chunk (rule
 * "ng" → ŋ ŋ is one chunk of 2 letters and 2 units, "x" → k s one chunk of 1 letter and 2 units,
 * "a" → ɑ one of 1 and 1). The aligned phones inside the word (midpoint within the word's
 * interval) are counted in the same units: a phone marked long with "ː" (MFA's "ɑː", "kː", "ŋː")
 * is two units sharing its duration equally. When the counts agree, each chunk's letters share
 * the time of the chunk's phone units equally. Only the counts are compared, not the symbols,
 * so phone sets that spell "g" as "ɡ" still line up.
 *
 * <p>When the counts disagree (a pronunciation the table does not predict, "spn" for an
 * out-of-dictionary word), the word is one {@link LabelInventory#UNKNOWN} interval and a problem
 * names it — letters are never guessed. Silent words stay silent (empty text).
 */
public final class LetterAlignment {
    private LetterAlignment() {}

    /** Length mark of IPA (U+02D0), as MFA writes long phones. */
    private static final String LONG = "ː";

    /** The "letters" tier for an alignment with "words" and "phones" interval tiers. */
    public static Tier letterTier(Alignment alignment, LetterTable table, FrameLabeler.Options options, List<Problem> problems) {
        Tier words = alignment.firstTier("words");
        Tier phones = alignment.firstTier("phones");
        if (words == null || phones == null || words.pointTier() || phones.pointTier()) {
            throw wavlens.io.UserError.inFile(alignment.source(), "letters need interval tiers 'words' and 'phones'; tiers: " + alignment.describeTiers());
        }
        List<Interval> out = new ArrayList<>();
        List<Interval> allPhones = phones.items();
        int firstPhone = 0; // both tiers are sorted: walk the phones once
        for (int w = 0; w < words.items().size(); w++) {
            Interval word = words.items().get(w);
            // the phones whose midpoint lies in [word.start, word.end)
            while (firstPhone < allPhones.size() && midpoint(allPhones.get(firstPhone)) < word.start()) firstPhone++;
            int endPhone = firstPhone;
            while (endPhone < allPhones.size() && midpoint(allPhones.get(endPhone)) < word.end()) endPhone++;
            List<Interval> wordPhones = allPhones.subList(firstPhone, endPhone);
            String canonical = FrameLabeler.canonical(word.text(), options);
            if (canonical.equals(LabelInventory.SILENCE)) {
                out.add(new Interval(word.start(), word.end(), ""));
                continue;
            }
            if (canonical.equals(LabelInventory.UNKNOWN)) {
                out.add(new Interval(word.start(), word.end(), LabelInventory.UNKNOWN));
                continue;
            }
            List<Interval> letters = lettersOfWord(word, wordPhones, table, options);
            if (letters == null) {
                problems.add(new Problem(alignment.source(), String.format(java.util.Locale.ROOT,
                        "word %d \"%s\" (%.3f–%.3f s): its phones do not match its letters by %s; labelled %s",
                        w + 1, word.text(), word.start(), word.end(), table.source(), LabelInventory.UNKNOWN)));
                out.add(new Interval(word.start(), word.end(), LabelInventory.UNKNOWN));
            } else {
                out.addAll(letters);
            }
        }
        return TextGrid.checkedIntervalTier(alignment.source(), "letters", words.xmin(), words.xmax(), out, null, false, problems);
    }

    /** The word's letters timed by its phones, or null when the phone units do not match. */
    static List<Interval> lettersOfWord(Interval word, List<Interval> wordPhones, LetterTable table, FrameLabeler.Options options) {
        // phone units: [start, end) each; a long phone is two
        List<double[]> units = new ArrayList<>();
        for (Interval p : wordPhones) {
            String text = p.text().strip();
            if (FrameLabeler.canonical(text, options).equals(LabelInventory.SILENCE)) continue; // a pause inside a word is no sound of it
            if (text.endsWith(LONG) && text.length() > LONG.length()) {
                double half = midpoint(p);
                units.add(new double[] {p.start(), half});
                units.add(new double[] {half, p.end()});
            } else {
                units.add(new double[] {p.start(), p.end()});
            }
        }
        List<String> letters = new ArrayList<>();
        for (List<String> w : table.words(word.text(), null)) letters.addAll(w);
        if (letters.isEmpty()) return null;

        // each rule application's letters share the time of its phone units equally
        List<Interval> out = new ArrayList<>();
        int unit = 0;
        for (LetterTable.Chunk chunk : table.chunks(letters)) {
            int n = chunk.phones().size(), take = chunk.letters().size();
            if (unit + n > units.size()) return null;
            double start = Math.max(word.start(), units.get(unit)[0]), end = Math.min(word.end(), units.get(unit + n - 1)[1]);
            for (int k = 0; k < take; k++) {
                out.add(new Interval(start + (end - start) * k / take, start + (end - start) * (k + 1) / take, chunk.letters().get(k)));
            }
            unit += n;
        }
        return unit == units.size() ? out : null;
    }

    private static double midpoint(Interval iv) {
        return (iv.start() + iv.end()) / 2;
    }
}
