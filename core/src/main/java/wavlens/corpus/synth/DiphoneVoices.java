package wavlens.corpus.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import wavlens.audio.PcmChannels;
import wavlens.audio.WavReader;
import wavlens.io.UserError;

/**
 * Diphone voices of other languages speaking Finnish, rendered by MBROLA or by Festival.
 *
 * <p>MBROLA diphone voices (Debian contrib/non-free packages mbrola, mbrola-XX) speaking Finnish:
 * recorded human speakers of languages whose sounds cover Finnish's (Estonian, Hungarian, Swedish,
 * German, Dutch, French, Czech, Polish, Italian, Portuguese, Breton, American English, Hebrew, Malay, Turkish, Telugu), the only natural-speech voices besides Festival's two. espeak-ng's Finnish voice decides
 * the phones and their durations; each phone is mapped to the nearest phoneme of the MBROLA voice
 * and MBROLA renders exactly those durations, so the phone timings stay espeak-ng's exact ones.
 *
 * <p>Festival's own diphone voices of other languages ({@link #FESTIVAL_VOICES}: Italian and Czech,
 * a woman and a man each) speak Finnish the same way: the same phones, durations and pitch targets
 * go to Festival as a Segments utterance and its UniSyn residual-LPC synthesis renders them. They
 * are recorded speakers made by the same diphone synthesis as Suopuhe's Finnish voices.
 *
 * <p>The pitch contour is ours (MBROLA takes pitch targets per phone): a declination from 1.15 to
 * 0.85 times the utterance's base pitch, raised 12 % on the first vowel of each word (Finnish
 * stresses the first syllable), with a small random level per word.
 */
public final class DiphoneVoices {
    private DiphoneVoices() {}

    /** Where Debian's mbrola-XX packages put their databases: /usr/share/mbrola/XX/XX. */
    static final Path VOICE_ROOT = Path.of("/usr/share/mbrola");
    /** Where Debian's festvox-XX packages put their voices. */
    static final Path FESTIVAL_VOICE_ROOT = Path.of("/usr/share/festival/voices");

    /**
     * More diphones missing from a voice's database than this in one utterance make it unusable:
     * MBROLA (with -e) replaces a missing diphone by silence, which is a gap inside a phone.
     */
    static final int MAX_MISSING_DIPHONES = 3;

    /**
     * A voice: its database name, who speaks, a typical base pitch (Hz), espeak-ng Finnish phone →
     * its phoneme, and the letters of sounds it cannot say at all (French has no h), which are the
     * letters whose phone its table lacks: it speaks only sentences without them.
     */
    public record Voice(String name, String speaker, double typicalF0, Map<String, String> phonemes, String lacksLetters, String festivalFolder) {
        Voice(String name, String speaker, double typicalF0, Map<String, String> phonemes) {
            this(name, speaker, typicalF0, phonemes, lettersWithoutPhoneme(phonemes), null);
        }

        /** A Festival diphone voice, in /usr/share/festival/voices/{@code folder} (e.g. italian/lp_diphone). */
        static Voice festival(String name, String speaker, double typicalF0, Map<String, String> phonemes, String folder) {
            return new Voice(name, speaker, typicalF0, phonemes, lettersWithoutPhoneme(phonemes), folder);
        }

        public boolean isFestival() {
            return festivalFolder != null;
        }

        /** Who renders it and its name, for messages: "mbrola de1", "festival lp". */
        String label() {
            return (isFestival() ? "festival " : "mbrola ") + name;
        }

        /** MBROLA's database file, or the Festival voice's folder. */
        public Path database() {
            return isFestival() ? FESTIVAL_VOICE_ROOT.resolve(festivalFolder) : VOICE_ROOT.resolve(name).resolve(name);
        }

        public boolean installed() {
            return isFestival() ? Files.isDirectory(database()) : Files.isRegularFile(database());
        }

        /** The Scheme function that selects a Festival voice: voice_ and its folder's name. */
        String festivalFunction() {
            return "voice_" + Path.of(festivalFolder).getFileName();
        }

        /** Whether the sentence has none of the letters this voice lacks. */
        public boolean canSay(String sentence) {
            String lower = sentence.toLowerCase(Locale.ROOT);
            for (char c : lacksLetters.toCharArray()) if (lower.indexOf(c) >= 0) return false;
            return true;
        }
    }

    // espeak-ng's Finnish phones: vowels a e i I o u y & (ä) Y (ö), diphthongs as two vowel letters
    // (ai, yY, &i, ...), consonants p t k b d g q s s2 f h S (š) Z (ž) v j l r m n N and the glide ";".
    // Finnish vowels are tense whether long or short, so the tense (long) phonemes are used where
    // the language distinguishes them; length comes from the duration.
    private static final Map<String, String> ESTONIAN = table("a", "e", "i", "o", "u", "y", "{", "2",
            Map.of("b", "p", "d", "t", "g", "k", "Z", "S", "N", "n")); // Estonian b d g are voiceless lenis stops; ž and ŋ as ee1 has them
    private static final Map<String, String> HUNGARIAN = table("O", "e:", "i", "o", "u", "y", "E", "2", Map.of());
    private static final Map<String, String> SWEDISH = table("A:", "e:", "i:", "o:", "u:", "y:", "{:", "2:", Map.of("Z", "S"));
    private static final Map<String, String> GERMAN = table("a:", "e:", "i:", "o:", "u:", "y:", "E:", "2:", Map.of("r", "R"));
    // Dutch (nl2, nl3): A is Finnish a's back [ɑ], E stands for ä [æ] (Dutch has no [æ]), w is
    // Finnish v's labiodental approximant [ʋ] (Dutch v is a fricative).
    private static final Map<String, String> DUTCH = table("A", "e", "i", "o", "u", "y", "E", "2", Map.of("v", "w"));
    // French (fr1-fr4, fr6): uvular R for r as in German; no h at all, so no phoneme for it (its voices say no h-sentences).
    private static final Map<String, String> FRENCH = without(table("a", "e", "i", "o", "u", "y", "E", "2", Map.of("r", "R")), "h");

    // Four women whose languages lack ä, ö and y: they say only sentences
    // without those letters, so they add higher-pitched back vowels (a o u) from recorded speakers,
    // the sounds a held-out woman's voice gets wrong most (a heard as ä, u as y).
    // Czech (cz1): h is Czech's voiced [ɦ].
    private static final Map<String, String> CZECH = without(table("a", "e", "i", "o", "u", "y", "{", "2", Map.of()), "y", "&", "Y");
    // Polish (pl1): no [h]; its velar x, which is Finnish h before a consonant ([x] after a back vowel).
    private static final Map<String, String> POLISH = without(table("a", "e", "i", "o", "u", "y", "{", "2", Map.of("h", "x")), "y", "&", "Y");
    // Italian (it4) and European Portuguese (pt1): no h and no [ŋ] phoneme (n before k is [ŋ] in both).
    private static final Map<String, String> ITALIAN = without(table("a", "e", "i", "o", "u", "y", "{", "2", Map.of("N", "n")), "y", "&", "Y", "h");
    private static final Map<String, String> PORTUGUESE = ITALIAN;
    // Breton (bz1, a woman): all eight Finnish vowels but ä, which is E as for Dutch; its long
    // vowels are the tense ones; [ŋ] only before k ("Nk").
    private static final Map<String, String> BRETON = table("A", "e:", "i:", "o:", "u:", "y:", "E", "2:", Map.of("N", "Nk"));
    // American English (us1, a woman): ä is its [æ] ({), o its [ɔ] (O; its o is the diphthong @U), e
    // its [ɛ], r its tap 4 (the t of "later"), Finnish r's usual form between vowels, not its [ɹ];
    // no ö or y.
    private static final Map<String, String> AMERICAN = without(table("A", "E", "i", "O", "u", "y", "{", "2", Map.of("r", "4")), "y", "Y");
    // Italian (it2, a second Italian woman; her database names phonemes in capitals, stressed
    // vowels with a 2: A2 E2 I2 O2 U2, E2 and O2 the close e and o): no h, no ä, ö or y; her n
    // before k is [ŋ] (Italian "anche"), so Finnish ŋ is her N; š is her sh.
    private static final Map<String, String> ITALIAN_CAPITALS = without(table("A2", "E2", "I2", "O2", "U2", "y", "{", "2",
            Map.ofEntries(Map.entry("p", "P"), Map.entry("t", "T"), Map.entry("k", "K"), Map.entry("b", "B"), Map.entry("d", "D"),
                    Map.entry("g", "G"), Map.entry("s", "S"), Map.entry("f", "F"), Map.entry("v", "V"), Map.entry("j", "J"),
                    Map.entry("l", "L"), Map.entry("r", "R"), Map.entry("m", "M"), Map.entry("n", "N"), Map.entry("N", "N"),
                    Map.entry("S", "sh"), Map.entry("q", "K"), Map.entry("s2", "S"), Map.entry(";", "J"))),
            "y", "&", "Y", "h", "Z");
    // Hebrew (hb2, a woman; SAMPA): r is her uvular R, as German's; no ä, ö or y. Her database has
    // no vowel-to-vowel diphones but has the diphthongs ai ei oi ui as phonemes of their own, which
    // stand for Finnish's.
    private static final Map<String, String> HEBREW = without(table("a", "e", "i", "o", "u", "y", "{", "2",
            Map.of("r", "R", "ai", "ai", "ei", "ei", "oi", "oi", "ui", "ui")), "y", "&", "Y");
    // Malay (ma1, a woman; SAMPA with her own vowel names: a is V, i I, o @U, u U): Finnish v is her
    // w (Malay has one labial approximant for both letters); no ä, ö or y, no ž.
    private static final Map<String, String> MALAY = without(table("V", "e", "I", "@U", "U", "y", "{", "2", Map.of("v", "w")),
            "y", "&", "Y", "Z");
    // Turkish (tr2, a woman; a full square matrix of diphones): i is her I, ö her @', y her y; her r
    // a tap as Finnish's, her n before k [ŋ]; no ä (her e is [e]), so she says only sentences
    // without it.
    private static final Map<String, String> TURKISH = without(table("a", "e", "I", "o", "u", "y", "{", "@'", Map.of("N", "n")), "&");
    // Telugu (tl1, a woman): t and d are her dental ones, as Finnish's; j is her y, ŋ her n~ (said
    // only before k and g); no ä, ö or y, no f and no ž. Her database lacks most vowel-to-vowel
    // diphones but ai and au, so utterances with several other diphthongs are left to other voices.
    private static final Map<String, String> TELUGU = without(table("a", "e", "i", "o", "u", "y", "{", "2",
            Map.of("j", "y", ";", "y", "N", "n~")), "y", "&", "Y", "f", "Z");

    // Festival's Italian voices (lp, a woman, and pc, a man; phone set "italian"): e and o are the
    // close ones; ŋ is ng, š S, ž Z; no h, no ä, ö or y.
    private static final Map<String, String> ITALIAN_FESTIVAL = without(table("a", "e", "i", "o", "u", "y", "{", "2",
            Map.of("N", "ng")), "y", "&", "Y", "h");
    // Festival's Czech voices (dita, a woman, and ph, a man; phone set "czech", long vowels a: e: ...
    // apart, so the short ones, length coming from the duration): h is Czech's voiced [ɦ] as for
    // cz1, š is s~, ž z~, ŋ n (Czech n before k is [ŋ]); no ä, ö or y.
    private static final Map<String, String> CZECH_FESTIVAL = without(table("a", "e", "i", "o", "u", "y", "{", "2",
            Map.of("N", "n", "S", "s~", "Z", "z~")), "y", "&", "Y");

    /** The letters whose espeak-ng phone (ä is &, ö is Y; one-letter phones only) has no phoneme in the table. */
    private static String lettersWithoutPhoneme(Map<String, String> phonemes) {
        StringBuilder lacks = new StringBuilder();
        for (String phone : List.of("a", "e", "i", "o", "u", "&", "Y", "y", "p", "t", "k", "b", "d", "g", "s", "f", "h", "v", "j", "l", "r", "m", "n")) {
            if (!phonemes.containsKey(phone)) lacks.append(phone.equals("&") ? "ä" : phone.equals("Y") ? "ö" : phone);
        }
        return lacks.toString();
    }

    private static Map<String, String> without(Map<String, String> table, String... phones) {
        Map<String, String> t = new java.util.HashMap<>(table);
        for (String phone : phones) t.remove(phone);
        return Map.copyOf(t);
    }

    /**
     * A voice's phoneme for each espeak-ng Finnish phone: its vowels for a e i o u y ä ö (I, espeak's
     * unstressed i, as i), and for consonants the SAMPA symbol of the same name, except where
     * {@code consonants} says otherwise. q (espeak's k before a back vowel) is k, s2 is s, ";" (the
     * glide in diphthongs) j.
     */
    private static Map<String, String> table(String a, String e, String i, String o, String u, String y, String ae, String oe,
                                             Map<String, String> consonants) {
        Map<String, String> t = new java.util.HashMap<>(Map.of("a", a, "e", e, "i", i, "I", i, "o", o, "u", u, "y", y, "&", ae, "Y", oe));
        for (String c : List.of("p", "b", "t", "d", "k", "g", "s", "f", "h", "S", "Z", "v", "j", "l", "r", "m", "n", "N")) t.put(c, c);
        t.putAll(Map.of("q", "k", "s2", "s", ";", "j"));
        t.putAll(consonants);
        return Map.copyOf(t);
    }

    /**
     * The voices wavlens can use, 20 women and 9 men (later additions come last, so that corpora
     * naming the earlier voices stay as they were). Left out: de8 (lacks a:, E:, 2: diphones),
     * nl1 (a small database missing most diphones), es3 (no h, x, v or f diphones), the Icelandic
     * and Turkish men (no ä), and the women br4 (no diphones of n, l or a tap r before a consonant:
     * Brazilian Portuguese has nasal vowels and [w] there), jp2 and jp3 (Japanese: no consonant
     * clusters and no l), in2 and cn1 (phonemes under names of their own, not tried), and the rest
     * (untried).
     */
    public static final List<Voice> VOICES = List.of(
            new Voice("ee1", "Estonian man", 110, ESTONIAN),
            new Voice("hu1", "Hungarian woman", 200, HUNGARIAN),
            new Voice("sw1", "Swedish man", 110, SWEDISH),
            new Voice("sw2", "Swedish woman", 200, SWEDISH),
            new Voice("de1", "German woman", 200, GERMAN),
            new Voice("de2", "German man", 110, GERMAN),
            new Voice("de3", "German woman", 200, GERMAN),
            new Voice("de4", "German man", 110, GERMAN),
            new Voice("de5", "German woman", 200, GERMAN),
            new Voice("de6", "German man", 110, GERMAN),
            new Voice("de7", "German woman", 200, GERMAN),
            new Voice("nl2", "Dutch man", 110, DUTCH),
            new Voice("nl3", "Dutch woman", 200, DUTCH),
            new Voice("fr1", "French man", 110, FRENCH),
            new Voice("fr2", "French woman", 200, FRENCH),
            new Voice("fr3", "French man", 110, FRENCH),
            new Voice("fr4", "French woman", 200, FRENCH),
            new Voice("fr6", "French man", 110, FRENCH),
            new Voice("cz1", "Czech woman", 200, CZECH),
            new Voice("pl1", "Polish woman", 200, POLISH),
            new Voice("it4", "Italian woman", 200, ITALIAN),
            new Voice("pt1", "Portuguese woman", 200, PORTUGUESE),
            new Voice("bz1", "Breton woman", 190, BRETON),
            new Voice("us1", "American woman", 200, AMERICAN),
            new Voice("it2", "Italian woman", 200, ITALIAN_CAPITALS),
            new Voice("hb2", "Hebrew woman", 200, HEBREW),
            new Voice("ma1", "Malay woman", 200, MALAY),
            new Voice("tr2", "Turkish woman", 200, TURKISH),
            new Voice("tl1", "Telugu woman", 200, TELUGU));

    /**
     * Festival's diphone voices of other languages (Debian festvox-italp16k, festvox-itapc16k,
     * festvox-czech-dita, festvox-czech-ph), the Italian and Czech speakers of Festival's own
     * residual-LPC diphone synthesis. Typical pitch: dita's voice definition says 222 Hz.
     */
    public static final List<Voice> FESTIVAL_VOICES = List.of(
            Voice.festival("it-lp", "Italian woman", 200, ITALIAN_FESTIVAL, "italian/lp_diphone"),
            Voice.festival("it-pc", "Italian man", 110, ITALIAN_FESTIVAL, "italian/pc_diphone"),
            Voice.festival("cs-dita", "Czech woman", 220, CZECH_FESTIVAL, "czech/czech_dita"),
            Voice.festival("cs-ph", "Czech man", 110, CZECH_FESTIVAL, "czech/czech_ph"));

    /**
     * Stand-ins for a phoneme where the voice lacks a diphone with its neighbour (German and
     * Swedish have no h before a consonant, no N before a vowel, ...): the nearest sound the voice
     * has there. Finnish h before a consonant is itself [ç] or [x], the German C and x.
     */
    static final Map<String, List<String>> STAND_INS = Map.ofEntries(
            Map.entry("h", List.of("C", "x")), Map.entry("N", List.of("n")), Map.entry("j", List.of("i:", "i", "j")),
            Map.entry("b", List.of("p")), Map.entry("d", List.of("t")), Map.entry("g", List.of("k")), Map.entry("v", List.of("f", "w")),
            Map.entry("Z", List.of("S", "z")), Map.entry("S", List.of("s")), Map.entry("{:", List.of("E:", "{", "E")),
            Map.entry("E:", List.of("E", "e:")), Map.entry("E", List.of("E:", "e:")), Map.entry("e:", List.of("e", "E")),
            Map.entry("2", List.of("2:", "9")), Map.entry("2:", List.of("2", "9")), Map.entry("a:", List.of("a")),
            Map.entry("A:", List.of("a", "A")), Map.entry("O", List.of("o", "a:")), Map.entry("y:", List.of("y", "Y")),
            Map.entry("i:", List.of("i", "I")), Map.entry("u:", List.of("u", "U")), Map.entry("o:", List.of("o", "O")),
            Map.entry("R", List.of("r")), Map.entry("r", List.of("R")), Map.entry("A", List.of("a", "a:")),
            Map.entry("w", List.of("v")), Map.entry("Nk", List.of("n")), Map.entry("4", List.of("r")),
            // it2's stressed vowels, where a diphone is missing: the unstressed ones
            Map.entry("A2", List.of("A")), Map.entry("E2", List.of("E")), Map.entry("I2", List.of("I")),
            Map.entry("O2", List.of("O")), Map.entry("U2", List.of("U")));

    /**
     * More stand-ins for the Festival voices, ahead of the others: the Czech voices have no diphone
     * from a vowel into i (Czech writes its falling diphthongs with j: "aj", "ej") nor from i into a
     * vowel, so the i of Finnish's ai, ei, oi, ui, ie, iu is their j there; and no h before a
     * voiceless consonant, where their ch ([x]) is Finnish h's own sound (tuhka [tuxka]). The Italian
     * ng (said only before k and g) is n elsewhere; Czech š and ž are s and z where their diphone is missing.
     */
    static final Map<String, List<String>> FESTIVAL_STAND_INS = Map.of("i", List.of("j"), "h", List.of("ch"), "ng", List.of("n"),
            "s~", List.of("s"), "z~", List.of("s~", "z"));

    /** The stand-ins for a voice's phonemes: a Festival voice's own ahead of the shared ones. */
    static Map<String, List<String>> standIns(Voice voice) {
        return voice.isFestival() ? FESTIVAL_VOICE_STAND_INS : STAND_INS;
    }

    private static final Map<String, List<String>> FESTIVAL_VOICE_STAND_INS = merged(FESTIVAL_STAND_INS, STAND_INS);

    private static Map<String, List<String>> merged(Map<String, List<String>> first, Map<String, List<String>> then) {
        Map<String, List<String>> all = new java.util.HashMap<>(then);
        first.forEach((phoneme, list) -> all.merge(phoneme, list, (shared, own) -> {
            List<String> both = new ArrayList<>(own);
            both.addAll(shared);
            return List.copyOf(both);
        }));
        return Map.copyOf(all);
    }

    /**
     * Replaces, where a pair of neighbours is a missing diphone ("X-Y" in {@code missing}), one of
     * them by a {@link #STAND_INS stand-in} that makes both its diphones available; returns how many
     * missing diphones remain.
     */
    static int repair(List<PhoLine> lines, java.util.Set<String> missing) {
        return repair(lines, missing, STAND_INS);
    }

    /** The same with a voice's own {@link #standIns}. */
    static int repair(List<PhoLine> lines, java.util.Set<String> missing, Map<String, List<String>> standIns) {
        int remaining = 0;
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (!missing.contains(lines.get(i).phoneme() + "-" + lines.get(i + 1).phoneme())) continue;
            if (!standIn(lines, i + 1, missing, standIns) && !standIn(lines, i, missing, standIns)) remaining++;
        }
        return remaining;
    }

    private static boolean standIn(List<PhoLine> lines, int i, java.util.Set<String> missing, Map<String, List<String>> standIns) {
        PhoLine line = lines.get(i);
        for (String s : standIns.getOrDefault(line.phoneme(), List.of())) {
            boolean before = i == 0 || !missing.contains(lines.get(i - 1).phoneme() + "-" + s);
            boolean after = i + 1 == lines.size() || !missing.contains(s + "-" + lines.get(i + 1).phoneme());
            if (before && after) {
                lines.set(i, new PhoLine(s, line.milliseconds(), line.pitchPercent(), line.pitchHz()));
                return true;
            }
        }
        return false;
    }

    private static final Map<String, java.util.Set<String>> MISSING = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The diphones (as "X-Y") the voice lacks among its phonemes for Finnish, their stand-ins and
     * the pause: found once per voice by asking MBROLA for every pair and reading its warnings.
     */
    static java.util.Set<String> missingDiphones(Voice voice) {
        return missingDiphones(voice, null);
    }

    /** The same for a Festival voice too, asked through {@code festival} (its UniSyn warnings). */
    static java.util.Set<String> missingDiphones(Voice voice, Festival festival) {
        return MISSING.computeIfAbsent(voice.name(), name -> {
            java.util.Set<String> symbols = new java.util.TreeSet<>(voice.phonemes().values());
            for (String sym : List.copyOf(symbols)) symbols.addAll(standIns(voice).getOrDefault(sym, List.of()));
            symbols.add("_");
            if (voice.isFestival()) return festivalMissingDiphones(voice, symbols, festival);
            StringBuilder pho = new StringBuilder();
            for (String a : symbols) for (String b : symbols) pho.append("_ 20\n").append(a).append(" 60 50 120\n").append(b).append(" 60 50 120\n");
            pho.append("_ 20\n");
            String messages = run(voice, pho.toString(), null, 0);
            java.util.Set<String> missing = new java.util.HashSet<>();
            // "Warning: X-Y unknown, replaced with _-_"; a phoneme the voice lacks altogether makes every pair with it missing.
            for (String line : messages.lines().toList()) {
                int w = line.indexOf("Warning: "), u = line.indexOf(" unknown");
                if (w >= 0 && u > w) missing.add(line.substring(w + 9, u).strip());
            }
            return missing;
        });
    }

    /**
     * A Festival voice's missing diphones: every pair with a symbol outside its phone set (Festival
     * would refuse the utterance), and the pairs its UniSyn replaces by the default diphone ("UniSyn:
     * using default diphone #-# for X-Y") when asked for all pairs of the others at once.
     */
    private static java.util.Set<String> festivalMissingDiphones(Voice voice, java.util.Set<String> symbols, Festival festival) {
        java.util.Set<String> phoneSet = new java.util.HashSet<>(festival.phoneSet(voice.festivalFunction()));
        List<String> usable = symbols.stream().filter(sym -> sym.equals("_") || phoneSet.contains(sym)).toList();
        java.util.Set<String> missing = new java.util.HashSet<>();
        for (String a : symbols) for (String b : symbols) if (!usable.contains(a) || !usable.contains(b)) missing.add(a + "-" + b);
        List<PhoLine> lines = new ArrayList<>();
        double[] middle = {50}, pitch = {120};
        for (String a : usable) {
            for (String b : usable) {
                lines.add(new PhoLine("_", 20, new double[0], new double[0]));
                lines.add(new PhoLine(a, 60, middle, pitch));
                lines.add(new PhoLine(b, 60, middle, pitch));
            }
        }
        lines.add(new PhoLine("_", 20, new double[0], new double[0]));
        String marker = "UniSyn: using default diphone ";
        for (String message : festival.renderSegments(voice.festivalFunction(), segments(lines), null)) {
            int at = message.indexOf(" for ");
            if (!message.startsWith(marker) || at < 0) continue;
            String[] pair = message.substring(at + 5).strip().split("-", 2);
            if (pair.length == 2) missing.add(fromFestivalPause(pair[0]) + "-" + fromFestivalPause(pair[1]));
        }
        return missing;
    }

    private static String fromFestivalPause(String phone) {
        return phone.equals("#") ? "_" : phone;
    }

    /**
     * The .pho lines as a Festival Segments utterance: per phone its name (the pause "_" as
     * Festival's "#"), its duration in seconds and its pitch targets as (seconds into the phone, Hz).
     */
    static String segments(List<PhoLine> lines) {
        StringBuilder sb = new StringBuilder("(Utterance Segments (");
        for (PhoLine line : lines) {
            double seconds = line.milliseconds() / 1000.0;
            sb.append("(\"").append(line.phoneme().equals("_") ? "#" : line.phoneme()).append(String.format(Locale.ROOT, "\" %.3f", seconds));
            for (int k = 0; k < line.pitchPercent().length; k++) {
                sb.append(String.format(Locale.ROOT, " (%.4f %.1f)", seconds * line.pitchPercent()[k] / 100, line.pitchHz()[k]));
            }
            sb.append(')');
        }
        return sb.append("))").toString();
    }

    private static final Map<String, Integer> RATE = new java.util.concurrent.ConcurrentHashMap<>();

    /** The sample rate the voice's database was recorded at (16000 or 22050): that of a short pause it speaks. */
    static int databaseRate(Voice voice) {
        return RATE.computeIfAbsent(voice.name(), name -> {
            Path wav = null;
            try {
                wav = Files.createTempFile("wavlens-mbrola-", ".wav");
                run(voice, "_ 50\n", wav, 0);
                return WavReader.read(wav).sampleRate();
            } catch (IOException e) {
                throw new UserError("mbrola: " + e.getMessage());
            } finally {
                deleteTemporary(wav);
            }
        });
    }

    /**
     * Runs mbrola on a .pho text, writing a WAV file (or nothing, when {@code wav} is null); returns its
     * messages. A {@code voiceRate} other than 0 is MBROLA's -l: the output is written at that rate with
     * the same durations and pitch, so the spectral envelope (the formants) scales by voiceRate over the
     * database's rate: a shorter or longer vocal tract.
     */
    private static String run(Voice voice, String pho, Path wav, int voiceRate) {
        Path phoFile = null, out = null;
        try {
            phoFile = Files.createTempFile("wavlens-mbrola-", ".pho");
            out = wav != null ? wav : Files.createTempFile("wavlens-mbrola-", ".wav");
            Files.writeString(phoFile, pho, StandardCharsets.US_ASCII);
            List<String> command = new ArrayList<>(List.of("mbrola", "-e"));
            if (voiceRate != 0) command.addAll(List.of("-l", Integer.toString(voiceRate)));
            command.addAll(List.of(voice.database().toString(), phoFile.toString(), out.toString()));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String messages = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int status = p.waitFor();
            if (status != 0) throw new UserError("mbrola (" + voice.name() + ") failed with status " + status + ": " + messages.strip());
            return messages;
        } catch (IOException e) {
            throw new UserError("mbrola: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("mbrola: interrupted");
        } finally {
            try {
                if (phoFile != null) Files.deleteIfExists(phoFile);
                if (wav == null && out != null) Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a temporary file left behind is harmless
            }
        }
    }

    /** Null when the mbrola program runs, else what to install. */
    public static String problem() {
        try {
            Process p = new ProcessBuilder("mbrola", "-h").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
            return null;
        } catch (IOException e) {
            return "the mbrola program is not installed; enable Debian's contrib and non-free components and "
                    + "apt-get install mbrola mbrola-de1 mbrola-sw2 ... (see the README)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The voices of {@link #VOICES} whose database is installed. */
    public static List<Voice> installedVoices() {
        return VOICES.stream().filter(Voice::installed).toList();
    }

    /** The voices of {@link #FESTIVAL_VOICES} that are installed. */
    public static List<Voice> installedFestivalVoices() {
        return FESTIVAL_VOICES.stream().filter(Voice::installed).toList();
    }

    /** One line of a .pho file: a phoneme, its duration in ms, and pitch targets (percent of the phone, Hz). */
    record PhoLine(String phoneme, int milliseconds, double[] pitchPercent, double[] pitchHz) {}

    /**
     * The .pho lines for espeak-ng's phones (times in samples at espeak's rate, total length
     * {@code samples}): pauses between phones become "_", diphthongs two vowels of half the time
     * each, and adjacent phones that map to the same phoneme (geminate sonorants "l l", "N N") one
     * long phoneme. Every boundary is rounded to a whole millisecond on its own, so the MBROLA
     * output's phone times are those millisecond boundaries.
     */
    static List<PhoLine> phoLines(List<Synthesis.Phone> phones, int rate, int samples, Voice voice, double baseF0, SplittableRandom random)
            throws UnusableUtterance {
        record Segment(String phoneme, double start, double end, boolean wordStart, int word) {}
        List<Segment> segments = new ArrayList<>();
        double cursor = 0;
        int lastWord = -1;
        for (Synthesis.Phone ph : phones) {
            if (ph.start() > cursor) segments.add(new Segment("_", cursor, ph.start(), false, -1));
            List<String> parts = phonemesOf(ph.name(), voice);
            double step = (ph.end() - ph.start()) / parts.size();
            for (int k = 0; k < parts.size(); k++) {
                double a = ph.start() + k * step, b = k == parts.size() - 1 ? ph.end() : ph.start() + (k + 1) * step;
                segments.add(new Segment(parts.get(k), a, b, ph.word() != lastWord && k == 0, ph.word()));
            }
            lastWord = ph.word();
            cursor = ph.end();
        }
        if (samples > cursor) segments.add(new Segment("_", cursor, samples, false, -1));

        // Merge neighbours with the same phoneme.
        List<Segment> merged = new ArrayList<>();
        for (Segment s : segments) {
            Segment last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && last.phoneme().equals(s.phoneme())) merged.set(merged.size() - 1, new Segment(last.phoneme(), last.start(), s.end(), last.wordStart(), last.word()));
            else merged.add(s);
        }

        double total = samples;
        int words = phones.isEmpty() ? 0 : phones.getLast().word() + 1;
        double[] wordLevel = new double[Math.max(words, 1)];
        for (int w = 0; w < wordLevel.length; w++) wordLevel[w] = 0.95 + 0.1 * random.nextDouble();
        boolean[] accented = new boolean[wordLevel.length];
        List<PhoLine> lines = new ArrayList<>();
        for (Segment s : merged) {
            int ms = (int) Math.round(s.end() / rate * 1000) - (int) Math.round(s.start() / rate * 1000);
            if (ms <= 0) continue;
            if (s.phoneme().equals("_")) {
                lines.add(new PhoLine("_", ms, new double[0], new double[0]));
                continue;
            }
            double middle = (s.start() + s.end()) / 2 / total;
            double f0 = baseF0 * (1.15 - 0.3 * middle) * wordLevel[s.word()];
            boolean vowel = isVowel(s.phoneme(), voice);
            if (vowel && !accented[s.word()]) {
                accented[s.word()] = true;
                f0 *= 1.12;
            }
            lines.add(new PhoLine(s.phoneme(), ms, new double[] {50}, new double[] {Math.round(f0 * 10) / 10.0}));
        }
        return lines;
    }

    /** The MBROLA phonemes for one espeak-ng phone: one, or two for a diphthong; UnusableUtterance for a phone not in the table. */
    static List<String> phonemesOf(String espeakPhone, Voice voice) throws UnusableUtterance {
        String one = voice.phonemes().get(espeakPhone);
        if (one != null) return List.of(one);
        // A diphthong: two vowel symbols, each one character (a e i o u y & Y).
        if (espeakPhone.length() == 2) {
            String first = voice.phonemes().get(espeakPhone.substring(0, 1)), second = voice.phonemes().get(espeakPhone.substring(1));
            if (first != null && second != null && isVowel(first, voice) && isVowel(second, voice)) return List.of(first, second);
        }
        // e.g. a phone of another language espeak-ng switched to; the letter aligner would reject it too
        throw new UnusableUtterance(voice.label() + ": no phoneme for espeak-ng's phone '" + espeakPhone + "'");
    }

    /** Whether the phoneme is the voice's phoneme for a vowel or for a diphthong (hb2's ai, ...). */
    private static boolean isVowel(String phoneme, Voice voice) {
        for (String v : List.of("a", "e", "i", "o", "u", "y", "&", "Y")) if (phoneme.equals(voice.phonemes().get(v))) return true;
        for (var e : voice.phonemes().entrySet()) if (e.getKey().length() == 2 && e.getValue().equals(phoneme) && e.getKey().chars().allMatch(c -> "aeiouy&Y".indexOf(c) >= 0)) return true;
        return false;
    }

    static String phoText(List<PhoLine> lines) {
        StringBuilder sb = new StringBuilder();
        for (PhoLine line : lines) {
            sb.append(line.phoneme()).append(' ').append(line.milliseconds());
            for (int k = 0; k < line.pitchPercent().length; k++) {
                sb.append(String.format(Locale.ROOT, " %.0f %.1f", line.pitchPercent()[k], line.pitchHz()[k]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Speaks espeak-ng's phones (its {@link Synthesis} of the sentence) with an MBROLA voice at a base
     * pitch; returns the voice's audio at its own rate with the same phones at their new times.
     * UnusableUtterance when the voice lacks more than {@value #MAX_MISSING_DIPHONES} of the diphones.
     * {@code formantScale} multiplies every formant frequency (1 for the voice as recorded), as
     * vocal tract length perturbation does (Jaitly and Hinton 2013), through MBROLA's -l.
     */
    public static Synthesis speak(Synthesis espeak, Voice voice, double baseF0, double formantScale, SplittableRandom random)
            throws UnusableUtterance {
        return speak(espeak, voice, baseF0, formantScale, random, null);
    }

    /** The same; a Festival voice ({@link #FESTIVAL_VOICES}) speaks through {@code festival}, as recorded (formantScale 1). */
    public static Synthesis speak(Synthesis espeak, Voice voice, double baseF0, double formantScale, SplittableRandom random, Festival festival)
            throws UnusableUtterance {
        if (voice.isFestival() && (festival == null || formantScale != 1)) {
            throw new IllegalArgumentException("Festival voice " + voice.name() + " needs a Festival process and speaks as recorded");
        }
        if (!voice.installed()) {
            throw new UserError(voice.isFestival() ? "festival: voice " + voice.database() + " not found; apt-get install festvox-italp16k "
                    + "festvox-itapc16k festvox-czech-dita festvox-czech-ph" : "mbrola: voice database " + voice.database() + " not found; apt-get install mbrola-" + voice.name());
        }
        List<PhoLine> lines = new ArrayList<>(phoLines(espeak.phones(), espeak.sampleRate(), espeak.samples().length, voice, baseF0, random));
        int missing = repair(lines, missingDiphones(voice, festival), standIns(voice));
        if (missing > MAX_MISSING_DIPHONES) throw new UnusableUtterance(voice.label() + ": " + missing + " diphones missing from the voice");
        Path wav = null;
        try {
            wav = Files.createTempFile("wavlens-mbrola-", ".wav");
            if (voice.isFestival()) {
                for (String message : festival.renderSegments(voice.festivalFunction(), segments(lines), wav)) {
                    if (message.toLowerCase(Locale.ROOT).contains("error")) throw new UnusableUtterance("festival " + voice.name() + ": " + message);
                }
            } else {
                run(voice, phoText(lines), wav, formantScale == 1 ? 0 : (int) Math.round(databaseRate(voice) * formantScale));
            }
            PcmChannels pcm = WavReader.read(wav);
            float[] mono = pcm.mixToMono();
            // MBROLA may end a pitch period early; the pho's total is the length (the tail is a pause), so pad or cut to it.
            long totalMs = Math.round((double) espeak.samples().length / espeak.sampleRate() * 1000);
            short[] samples = new short[(int) (totalMs * pcm.sampleRate() / 1000)];
            for (int i = 0; i < Math.min(mono.length, samples.length); i++) samples[i] = (short) Math.max(-32768, Math.min(32767, Math.round(mono[i] * 32768.0)));
            return new Synthesis(samples, pcm.sampleRate(), retimed(espeak, pcm.sampleRate(), samples.length));
        } catch (IOException e) {
            throw new UserError(voice.label() + ": " + e.getMessage());
        } finally {
            deleteTemporary(wav);
        }
    }

    private static void deleteTemporary(Path file) {
        try {
            if (file != null) Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file left behind is harmless
        }
    }

    /** espeak-ng's phones at the millisecond boundaries of {@link #phoLines}, in samples at {@code rate}, within the audio. */
    static List<Synthesis.Phone> retimed(Synthesis espeak, int rate, int length) {
        List<Synthesis.Phone> out = new ArrayList<>();
        for (Synthesis.Phone ph : espeak.phones()) {
            double start = Math.min(length, Math.round(ph.start() / espeak.sampleRate() * 1000) * rate / 1000.0);
            double end = Math.min(length, Math.round(ph.end() / espeak.sampleRate() * 1000) * rate / 1000.0);
            out.add(new Synthesis.Phone(ph.name(), ph.word(), start, end));
        }
        return out;
    }
}
