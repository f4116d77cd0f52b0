package wavlens.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wavlens.io.UserError;

/**
 * Orthography → letters → phones, driven by an explicit table: the built-in
 * {@code wavlens/corpus/finnish-letters.tsv} (read its header for the Finnish rules) or a user file
 * in the same format, which replaces it entirely.
 *
 * <p>A transcript becomes letters like this: Unicode NFC (so a decomposed "a + ¨" is one "ä"),
 * lower-case, fold (é → e, ...), then every character that is neither a letter of the table nor
 * whitespace — digits, punctuation, hyphens, apostrophes — is dropped and counted in the caller's
 * {@code dropped} map (character → count), so nothing disappears unreported. Whitespace separates
 * words. Letters are strings (one code point each) because š, ž, å, ä, ö are not ASCII.
 */
public final class LetterTable {
    /** The resource holding the default table (a path inside the jar). */
    public static final String FINNISH_RESOURCE = "/wavlens/corpus/finnish-letters.tsv";

    private final String source;
    private final Set<String> letters;
    private final Map<String, String> folds;          // one character → replacement letters
    private final Map<String, List<String>> phoneRules; // letter sequence → phones
    private final int longestRule;                     // in letters

    private LetterTable(String source, Set<String> letters, Map<String, String> folds, Map<String, List<String>> phoneRules) {
        this.source = source;
        this.letters = letters;
        this.folds = folds;
        this.phoneRules = phoneRules;
        int longest = 1;
        for (String key : phoneRules.keySet()) longest = Math.max(longest, key.codePointCount(0, key.length()));
        this.longestRule = longest;
    }

    /** The built-in Finnish table. */
    public static LetterTable finnish() {
        try (InputStream in = LetterTable.class.getResourceAsStream(FINNISH_RESOURCE)) {
            if (in == null) throw new IllegalStateException("resource " + FINNISH_RESOURCE + " missing from the build");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), FINNISH_RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + FINNISH_RESOURCE, e);
        }
    }

    /** A user table (same format as the built-in one). */
    public static LetterTable read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw UserError.inFile(file, "no such file");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read as UTF-8 text: " + e.getMessage());
        }
    }

    static LetterTable parse(String text, String source) {
        Set<String> letters = new LinkedHashSet<>();
        Map<String, String> folds = new LinkedHashMap<>();
        Map<String, List<String>> rules = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = Normalizer.normalize(lines[i].replace("\r", "").replace("\uFEFF", ""), Normalizer.Form.NFC);
            if (line.isBlank() || line.startsWith("#")) continue;
            String where = "line " + (i + 1) + ": ";
            String[] f = line.split("\t");
            switch (f[0]) {
                case "letter" -> {
                    if (f.length != 2 || f[1].codePointCount(0, f[1].length()) != 1) {
                        throw UserError.inFile(source, where + "expected 'letter<TAB>x' with one character x");
                    }
                    letters.add(f[1].toLowerCase(java.util.Locale.ROOT));
                }
                case "fold" -> {
                    if (f.length != 3 || f[1].codePointCount(0, f[1].length()) != 1 || f[2].isEmpty()) {
                        throw UserError.inFile(source, where + "expected 'fold<TAB>x<TAB>letters' with one character x");
                    }
                    folds.put(f[1], f[2]);
                }
                case "phone" -> {
                    if (f.length != 3 || f[1].isEmpty() || f[2].isBlank()) {
                        throw UserError.inFile(source, where + "expected 'phone<TAB>letters<TAB>phones'");
                    }
                    rules.put(f[1], List.of(f[2].strip().split(" +")));
                }
                default -> throw UserError.inFile(source, where + "unknown entry '" + f[0] + "' (expected letter, fold or phone)");
            }
        }
        if (letters.isEmpty()) throw UserError.inFile(source, "no 'letter' lines: the table defines no alphabet");
        for (var fold : folds.entrySet()) {
            for (String c : codePoints(fold.getValue())) {
                if (!letters.contains(c)) {
                    throw UserError.inFile(source, "fold '" + fold.getKey() + "' gives '" + c + "', which is not a letter of the table");
                }
            }
        }
        for (String rule : rules.keySet()) {
            for (String c : codePoints(rule)) {
                if (!letters.contains(c)) throw UserError.inFile(source, "phone rule '" + rule + "' uses '" + c + "', which is not a letter of the table");
            }
        }
        for (String letter : letters) { // every word must be coverable letter by letter
            if (!rules.containsKey(letter)) throw UserError.inFile(source, "letter '" + letter + "' has no phone rule of its own");
        }
        return new LetterTable(source, letters, folds, rules);
    }

    public String source() {
        return source;
    }

    /** The alphabet in table order. */
    public List<String> alphabet() {
        return List.copyOf(letters);
    }

    /** Every phone the rules can produce, in table order. */
    public List<String> phoneInventory() {
        Set<String> phones = new LinkedHashSet<>();
        for (List<String> p : phoneRules.values()) phones.addAll(p);
        return List.copyOf(phones);
    }

    /** The words of a transcript, each a list of letters (see the class comment). */
    public List<List<String>> words(String text, Map<String, Integer> dropped) {
        List<List<String>> words = new ArrayList<>();
        List<String> word = new ArrayList<>();
        String nfc = Normalizer.normalize(text, Normalizer.Form.NFC);
        for (String original : codePoints(nfc)) {
            if (original.isBlank()) {
                if (!word.isEmpty()) words.add(word);
                word = new ArrayList<>();
                continue;
            }
            String c = original.toLowerCase(java.util.Locale.ROOT);
            String folded = folds.getOrDefault(c, c);
            for (String letter : codePoints(folded)) {
                if (letters.contains(letter)) word.add(letter);
                else if (dropped != null) dropped.merge(original, 1, Integer::sum);
            }
        }
        if (!word.isEmpty()) words.add(word);
        return words;
    }

    /** The transcript as a model over this alphabet spells it: the letters of {@link #words}, words separated by one space. */
    public String spelled(String text) {
        List<String> out = new ArrayList<>();
        for (List<String> w : words(text, null)) out.add(String.join("", w));
        return String.join(" ", out);
    }

    /** All letters of the transcript in order, word boundaries left out. */
    public List<String> letters(String text, Map<String, Integer> dropped) {
        List<String> out = new ArrayList<>();
        for (List<String> w : words(text, dropped)) out.addAll(w);
        return out;
    }

    /** The phones of the transcript: each word rewritten by longest-match phone rules. */
    public List<String> phones(String text, Map<String, Integer> dropped) {
        List<String> out = new ArrayList<>();
        for (List<String> w : words(text, dropped)) out.addAll(phonesOfWord(w));
        return out;
    }

    /** One application of a phone rule: these letters are pronounced as these phones. */
    public record Chunk(List<String> letters, List<String> phones) {}

    /** A word cut into rule applications, longest match first: at each position the longest letter sequence that has a rule. */
    public List<Chunk> chunks(List<String> word) {
        List<Chunk> out = new ArrayList<>();
        int i = 0;
        while (i < word.size()) {
            int take = Math.min(longestRule, word.size() - i);
            List<String> rule = null;
            for (; take >= 1; take--) {
                rule = phoneRules.get(String.join("", word.subList(i, i + take)));
                if (rule != null) break;
            }
            if (rule == null) throw new IllegalArgumentException("'" + word.get(i) + "' is not a letter of " + source);
            out.add(new Chunk(List.copyOf(word.subList(i, i + take)), rule));
            i += take;
        }
        return out;
    }

    /** The phones of one word (a list of letters of this table). */
    public List<String> phonesOfWord(List<String> word) {
        List<String> out = new ArrayList<>();
        for (Chunk c : chunks(word)) out.addAll(c.phones());
        return out;
    }

    /**
     * The transcript as a CTC target string in the style of HF Wav2Vec2CTCTokenizer vocabularies:
     * letters only, lower-case, words joined by the word delimiter "|" ("Hyvää huomenta!" →
     * "hyvää|huomenta").
     */
    public String ctcText(String text, Map<String, Integer> dropped) {
        StringBuilder sb = new StringBuilder();
        for (List<String> w : words(text, dropped)) {
            if (!sb.isEmpty()) sb.append('|');
            for (String letter : w) sb.append(letter);
        }
        return sb.toString();
    }

    /** "'3' ×2, ',' ×1" — for the report of dropped characters. */
    public static String describeDropped(Map<String, Integer> dropped) {
        StringBuilder sb = new StringBuilder();
        for (var e : dropped.entrySet()) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append('\'').append(e.getKey()).append("' ×").append(e.getValue());
        }
        return sb.toString();
    }

    static List<String> codePoints(String s) {
        List<String> out = new ArrayList<>();
        s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
        return out;
    }
}
