package wavlens.corpus.synth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Aligns the phones a synthesizer spoke for one word with the word's letters, using a table of
 * spelling rules ("this phone sequence can be written as these letters"). A small dynamic
 * program over (phones used, letters used) finds the parse with the fewest rules; a word that no
 * parse explains is reported, never guessed.
 *
 * <p>The rule tables encode what the synthesizers do with Finnish spelling (measured, see
 * shared/notes/finnish-synthesis.md): espeak-ng speaks a long vowel or a geminate stop as ONE
 * event ("aa" → a, "kk" → k) but a geminate sonorant as two ("ll" → l l, "ss" → s s2); "ng" is
 * N N, x is k s, z and zz are t s. Festival/Suopuhe marks length on the phone ("aa" → a:,
 * "kk" → k:, "ng" → N:) and speaks a diphthong as two phones.
 */
public final class LetterAligner {

    /** Phones [phoneStart, phoneEnd) spell letters [letterStart, letterEnd) (possibly none). */
    public record Chunk(int phoneStart, int phoneEnd, int letterStart, int letterEnd) {}

    private record Rule(String[] phones, String[][] spellings) {}

    private final String name;
    private final Map<String, List<Rule>> rulesByFirstPhone = new HashMap<>();

    /**
     * Rules of the form "phone phone ... = spelling spelling ...", where "-" is the empty
     * spelling (a phone with no letter of its own, like espeak's glide ";").
     */
    LetterAligner(String name, String... rules) {
        this.name = name;
        for (String line : rules) {
            String[] sides = line.split("=");
            if (sides.length != 2) throw new IllegalArgumentException("bad rule: " + line);
            String[] phones = sides[0].trim().split(" +");
            String[] spellingWords = sides[1].trim().split(" +");
            String[][] spellings = new String[spellingWords.length][];
            for (int s = 0; s < spellingWords.length; s++) {
                String w = spellingWords[s];
                spellings[s] = w.equals("-") ? new String[0] : w.codePoints().mapToObj(Character::toString).toArray(String[]::new);
            }
            rulesByFirstPhone.computeIfAbsent(phones[0], k -> new ArrayList<>()).add(new Rule(phones, spellings));
        }
    }

    public String name() {
        return name;
    }

    /** espeak-ng 1.51 Finnish phoneme events → letters. */
    public static final LetterAligner ESPEAK = new LetterAligner("espeak-ng",
            // Vowels; a long vowel is one event. I is an unstressed i; å is spoken as o.
            "a = a aa", "e = e ee", "i = i ii", "I = i ii", "o = o oo å åå", "u = u uu", "y = y yy",
            "& = ä ää", "Y = ö öö",
            // Diphthongs are one event.
            "ai = ai", "au = au", "ei = ei", "eu = eu", "ey = ey", "ie = ie", "iu = iu", "iy = iy",
            "oi = oi", "ou = ou", "ui = ui", "uo = uo", "yi = yi", "yY = yö", "&i = äi", "&y = äy",
            "Yi = öi", "Yy = öy",
            // Stops: a geminate stop is one long event; c is k before a back vowel or consonant (and
            // "ck", "cc"); x is k+s, z/zz is t+s.
            "p = p pp", "t = t tt", "k = k kk c cc ck", "b = b bb", "d = d dd", "g = g gg", "q = q",
            "k s = x", "t s = z zz",
            // Fricatives: ss is s + s2; c before e, i, y is s.
            "s = s c", "s2 = s", "f = f ff", "h = h", "S = š", "Z = ž",
            // Sonorants: a geminate is two events; w is v. N is the velar nasal: "ng" is N N (or one N),
            // "nk" N k. An n before a labial is spoken m (kirjanpitäjä, "kuin peili" → kuim peili).
            "v = v w", "j = j", "l = l", "r = r", "m = m n", "n = n", "N = n g ng",
            // The glide espeak inserts after i before a vowel (Cecilia → ... l i ; a) has no letter.
            "; = -");

    /** Festival 2.5 + Suopuhe (voices hy_fi_mv, suo_fi_lj) phones → letters. */
    public static final LetterAligner FESTIVAL = new LetterAligner("festival",
            // Vowels: @ = ä, 7 = ö; ":" marks length. Diphthongs are two phones.
            "a = a", "a: = aa", "e = e", "e: = ee", "i = i", "i: = ii", "o = o", "o: = oo",
            "u = u", "u: = uu", "y = y", "y: = yy", "@ = ä", "@: = ää", "7 = ö", "7: = öö",
            // Stops; c is k or s as for espeak; x is k+s, z is t+s (zz is two t+s pairs), q (and qu) is k+v.
            "p = p", "p: = pp", "t = t", "t: = tt", "k = k c", "k: = kk cc ck",
            "b = b", "b: = bb", "d = d", "d: = dd", "g = g", "g: = gg",
            "k s = x", "t s = z", "k v = q qu",
            // Fricatives.
            "s = s c", "s: = ss", "f = f", "f: = ff", "h = h",
            // Sonorants; N: is "ng", N the n of "nk"; n before a labial is spoken m ("nm" → m:).
            "v = v w", "v: = vv", "j = j", "l = l", "l: = ll", "r = r", "r: = rr",
            "m = m n", "m: = mm nm", "n = n", "n: = nn", "N = n", "N: = ng");

    /**
     * The cheapest parse of phones into letters (each rule costs 1, a rule with no letters 2), or
     * null when the rules cannot explain the word.
     */
    public List<Chunk> align(List<String> phones, List<String> letters) {
        int np = phones.size(), nl = letters.size();
        final int inf = Integer.MAX_VALUE;
        int[][] cost = new int[np + 1][nl + 1];
        int[][] fromPhone = new int[np + 1][nl + 1];
        int[][] fromLetter = new int[np + 1][nl + 1];
        for (int[] row : cost) Arrays.fill(row, inf);
        cost[0][0] = 0;
        for (int i = 0; i < np; i++) {
            List<Rule> candidates = rulesByFirstPhone.getOrDefault(phones.get(i), List.of());
            for (int j = 0; j <= nl; j++) {
                if (cost[i][j] == inf) continue;
                for (Rule rule : candidates) {
                    int p = rule.phones.length;
                    if (!matches(phones, i, rule.phones)) continue;
                    for (String[] spelling : rule.spellings) {
                        if (!matches(letters, j, spelling)) continue;
                        int c = cost[i][j] + (spelling.length == 0 ? 2 : 1);
                        int ni = i + p, nj = j + spelling.length;
                        if (c < cost[ni][nj]) {
                            cost[ni][nj] = c;
                            fromPhone[ni][nj] = i;
                            fromLetter[ni][nj] = j;
                        }
                    }
                }
            }
        }
        if (cost[np][nl] == inf) return null;
        List<Chunk> chunks = new ArrayList<>();
        int i = np, j = nl;
        while (i > 0 || j > 0) {
            int pi = fromPhone[i][j], pj = fromLetter[i][j];
            chunks.add(new Chunk(pi, i, pj, j));
            i = pi;
            j = pj;
        }
        return chunks.reversed();
    }

    private static boolean matches(List<String> sequence, int from, String[] pattern) {
        if (from + pattern.length > sequence.size()) return false;
        for (int k = 0; k < pattern.length; k++) {
            if (!sequence.get(from + k).equals(pattern[k])) return false;
        }
        return true;
    }
}
