package wavlens.analysis.accuracy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import wavlens.text.Levenshtein;
import wavlens.text.Transcripts;

/**
 * Error rates and per-letter scores of an ASR model over a test set, accumulated one
 * (reference, hypothesis) utterance pair at a time.
 *
 * <p>Both sides are normalised by {@link Transcripts#normalize} (NFC, lower case, single spaces;
 * punctuation kept and counted), the normalisation the training loop's dev CER uses too.
 *
 * <p>CER = Σ character edits / Σ reference characters over the whole set, on code points INCLUDING
 * the single spaces between words (as jiwer's cer). WER = Σ word edits / Σ reference words, words =
 * the space-separated tokens. Both are corpus-level ratios, not means of per-utterance rates.
 *
 * <p>Per-letter counts come from the character alignment ({@link Levenshtein}); "letter" means a
 * code point with {@link Character#isLetter}, so the space and punctuation get no per-letter row:
 * <ul>
 *   <li>match a→a: a hit for a;</li>
 *   <li>substitution a→b: a miss for a and a false alarm for b;</li>
 *   <li>deletion of a: a miss for a; insertion of b: a false alarm for b.</li>
 * </ul>
 * precision = hits / (hits + false alarms), recall = hits / (hits + misses), F1 = 2PR/(P+R); a zero
 * denominator gives 0. The confusion matrix counts every aligned pair (space and punctuation
 * included) with ε for the missing side: row ε = insertions, column ε = deletions.
 */
public final class AsrScores {
    /** The symbol used for the empty side of an insertion or deletion in the confusion matrix. */
    public static final String EPSILON = "ε";
    private static final int EPSILON_CODE = -1;

    private long referenceChars, characterEdits, referenceWords, wordEdits, utterances;
    private final Map<Integer, long[]> letterCounts = new TreeMap<>(); // code point → {hits, misses, falseAlarms}
    private final Map<Long, Long> pairs = new HashMap<>();              // (ref, hyp) code points → count
    private final Map<String, Integer> wordDictionary = new HashMap<>(); // word → id (only equality matters)

    /** Adds one utterance; both sides are normalised first. */
    public void add(String reference, String hypothesis) {
        String ref = Transcripts.normalize(reference), hyp = Transcripts.normalize(hypothesis);
        utterances++;
        int[] refChars = ref.codePoints().toArray(), hypChars = hyp.codePoints().toArray();
        Levenshtein.Alignment a = Levenshtein.align(refChars, hypChars);
        referenceChars += refChars.length;
        characterEdits += a.distance();
        for (Levenshtein.Step s : a.steps()) {
            int r = s.refIndex() >= 0 ? refChars[s.refIndex()] : EPSILON_CODE;
            int h = s.hypIndex() >= 0 ? hypChars[s.hypIndex()] : EPSILON_CODE;
            pairs.merge(((long) r << 32) | (h & 0xffffffffL), 1L, Long::sum);
            if (s.op() == Levenshtein.Op.MATCH) {
                if (Character.isLetter(r)) counts(r)[0]++;
                continue;
            }
            if (r != EPSILON_CODE && Character.isLetter(r)) counts(r)[1]++;
            if (h != EPSILON_CODE && Character.isLetter(h)) counts(h)[2]++;
        }

        int[] refWords = wordIds(ref), hypWords = wordIds(hyp);
        referenceWords += refWords.length;
        wordEdits += Levenshtein.distance(refWords, hypWords);
    }

    private long[] counts(int letter) {
        return letterCounts.computeIfAbsent(letter, k -> new long[3]);
    }

    private int[] wordIds(String text) {
        if (text.isEmpty()) return new int[0];
        String[] words = text.split(" ");
        int[] ids = new int[words.length];
        for (int i = 0; i < words.length; i++) ids[i] = wordDictionary.computeIfAbsent(words[i], w -> wordDictionary.size());
        return ids;
    }

    public long utterances() {
        return utterances;
    }

    public long referenceChars() {
        return referenceChars;
    }

    public long characterEdits() {
        return characterEdits;
    }

    public long referenceWords() {
        return referenceWords;
    }

    public long wordEdits() {
        return wordEdits;
    }

    /** Character error rate; NaN when no reference characters were added. */
    public double cer() {
        return referenceChars == 0 ? Double.NaN : (double) characterEdits / referenceChars;
    }

    /** Word error rate; NaN when no reference words were added. */
    public double wer() {
        return referenceWords == 0 ? Double.NaN : (double) wordEdits / referenceWords;
    }

    /** Scores of one letter. */
    public record LetterScore(String letter, long hits, long misses, long falseAlarms,
                              double precision, double recall, double f1) {
        /** Occurrences in the references: hits + misses. */
        public long support() {
            return hits + misses;
        }
    }

    /** One row per letter seen on either side, in code point order. */
    public List<LetterScore> letterScores() {
        List<LetterScore> out = new ArrayList<>();
        for (var e : letterCounts.entrySet()) {
            long hits = e.getValue()[0], misses = e.getValue()[1], falseAlarms = e.getValue()[2];
            double p = hits + falseAlarms == 0 ? 0 : (double) hits / (hits + falseAlarms);
            double r = hits + misses == 0 ? 0 : (double) hits / (hits + misses);
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            out.add(new LetterScore(Character.toString(e.getKey()), hits, misses, falseAlarms, p, r, f1));
        }
        return out;
    }

    /**
     * Confusion matrix: symbols in code point order followed by ε; counts[i][j] = how often reference
     * symbol i was aligned with hypothesis symbol j (counts[ε][ε] is always 0).
     */
    public record Confusion(List<String> symbols, long[][] counts) {}

    public Confusion confusion() {
        TreeSet<Integer> codes = new TreeSet<>();
        for (long key : pairs.keySet()) {
            int r = (int) (key >> 32), h = (int) key;
            if (r != EPSILON_CODE) codes.add(r);
            if (h != EPSILON_CODE) codes.add(h);
        }
        List<Integer> order = new ArrayList<>(codes);
        List<String> symbols = new ArrayList<>();
        for (int c : order) symbols.add(Character.toString(c));
        symbols.add(EPSILON);
        int size = symbols.size();
        long[][] counts = new long[size][size];
        for (var e : pairs.entrySet()) {
            int r = (int) (e.getKey() >> 32), h = (int) (long) e.getKey();
            int row = r == EPSILON_CODE ? size - 1 : order.indexOf(r);
            int col = h == EPSILON_CODE ? size - 1 : order.indexOf(h);
            counts[row][col] += e.getValue();
        }
        return new Confusion(symbols, counts);
    }

    /** JSON-ready summary: utterances, cer, wer, the counts behind them, per-letter scores, confusion. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("utterances", utterances);
        m.put("cer", cer());
        m.put("wer", wer());
        m.put("character_edits", characterEdits);
        m.put("reference_characters", referenceChars);
        m.put("word_edits", wordEdits);
        m.put("reference_words", referenceWords);
        List<Map<String, Object>> letters = new ArrayList<>();
        for (LetterScore s : letterScores()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("letter", s.letter());
            row.put("hits", s.hits());
            row.put("misses", s.misses());
            row.put("false_alarms", s.falseAlarms());
            row.put("precision", s.precision());
            row.put("recall", s.recall());
            row.put("f1", s.f1());
            letters.add(row);
        }
        m.put("letters", letters);
        Confusion c = confusion();
        m.put("confusion", Map.of("symbols", c.symbols(), "counts", c.counts()));
        return m;
    }
}
