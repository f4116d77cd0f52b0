package wavlens.analysis.accuracy;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import wavlens.io.UserError;

/**
 * How often each letter occurs in a set of transcripts. Text is NFC-normalised (so "ä" is one code
 * point however it was typed) and lower-cased (Locale.ROOT); only code points with
 * {@link Character#isLetter} are counted — spaces, digits, punctuation and combining marks that NFC
 * could not compose are skipped. Relative frequency = count / total letters.
 *
 * @param counts letter (one code point as a String) → count, in code point order
 * @param total  Σ counts
 */
public record LetterFrequencies(SortedMap<String, Long> counts, long total) {

    public static LetterFrequencies of(Iterable<String> texts) {
        TreeMap<String, Long> counts = new TreeMap<>();
        long total = 0;
        for (String text : texts) {
            String nfc = Normalizer.normalize(text, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
            for (int cp : nfc.codePoints().toArray()) {
                if (!Character.isLetter(cp)) continue;
                counts.merge(Character.toString(cp), 1L, Long::sum);
                total++;
            }
        }
        return new LetterFrequencies(Collections.unmodifiableSortedMap(counts), total);
    }

    /** A UTF-8 text file of transcripts (any line structure). */
    public static LetterFrequencies read(Path file) {
        try {
            return of(Files.readAllLines(file));
        } catch (NoSuchFileException e) {
            throw UserError.inFile(file, "no such file");
        } catch (CharacterCodingException e) {
            throw UserError.inFile(file, "not UTF-8 text");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
    }

    public long count(String letter) {
        return counts.getOrDefault(letter, 0L);
    }

    /** count / total; 0 for an unseen letter or an empty set. */
    public double relative(String letter) {
        return total == 0 ? 0 : (double) count(letter) / total;
    }

    /** JSON-ready: {total, letters: {letter: {count, relative}}}. */
    public Map<String, Object> toMap() {
        Map<String, Object> letters = new LinkedHashMap<>();
        for (var e : counts.entrySet()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("count", e.getValue());
            row.put("relative", relative(e.getKey()));
            letters.put(e.getKey(), row);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", total);
        m.put("letters", letters);
        return m;
    }
}
