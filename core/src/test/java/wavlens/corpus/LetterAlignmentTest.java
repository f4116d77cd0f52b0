package wavlens.corpus;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import wavlens.io.UserError;

class LetterAlignmentTest {
    static Tier tier(String name, double end, Object... items) {
        List<Interval> list = new ArrayList<>();
        for (int i = 0; i < items.length; i += 3) list.add(new Interval((double) items[i], (double) items[i + 1], (String) items[i + 2]));
        return TextGrid.checkedIntervalTier("a.TextGrid", name, 0, end, list, null, true, new ArrayList<>());
    }

    static Alignment mfaLike() {
        Tier words = tier("words", 1.6, 0.0, 0.1, "", 0.1, 0.5, "hyvää", 0.5, 1.1, "kengät", 1.1, 1.4, "auto", 1.4, 1.5, "<unk>", 1.5, 1.6, "");
        Tier phones = tier("phones", 1.6,
                0.0, 0.1, "sil",
                0.1, 0.2, "h", 0.2, 0.3, "y", 0.3, 0.4, "ʋ", 0.4, 0.5, "æː",
                0.5, 0.6, "k", 0.6, 0.7, "e", 0.7, 0.9, "ŋː", 0.9, 1.0, "æ", 1.0, 1.1, "t",
                1.1, 1.2, "ɑ", 1.2, 1.3, "u", 1.3, 1.4, "t", // "auto" with a phone missing
                1.4, 1.5, "spn", 1.5, 1.6, "");
        Map<String, Tier> tiers = new LinkedHashMap<>();
        tiers.put("words", words);
        tiers.put("phones", phones);
        return new Alignment("a.TextGrid", 0, 1.6, tiers);
    }

    @Test
    void lettersShareTheirPhonesTime() {
        List<Problem> problems = new ArrayList<>();
        Tier letters = LetterAlignment.letterTier(mfaLike(), LetterTable.finnish(), FrameLabeler.Options.defaults(), problems);
        assertEquals("letters", letters.name());
        // long æː is two units: ä ä split its 0.1 s; ŋː gives n and g one half each
        assertEquals(List.of(new Interval(0, 0.1, ""),
                new Interval(0.1, 0.2, "h"), new Interval(0.2, 0.3, "y"), new Interval(0.3, 0.4, "v"),
                new Interval(0.4, 0.45, "ä"), new Interval(0.45, 0.5, "ä"),
                new Interval(0.5, 0.6, "k"), new Interval(0.6, 0.7, "e"), new Interval(0.7, 0.8, "n"), new Interval(0.8, 0.9, "g"),
                new Interval(0.9, 1.0, "ä"), new Interval(1.0, 1.1, "t"),
                new Interval(1.1, 1.4, "<unk>"), new Interval(1.4, 1.5, "<unk>"), new Interval(1.5, 1.6, "")),
                CorpusTest.round(letters.items()));
        assertEquals(List.of(new Problem("a.TextGrid",
                "word 4 \"auto\" (1.100–1.400 s): its phones do not match its letters by /wavlens/corpus/finnish-letters.tsv; labelled <unk>")), problems);
    }

    @Test
    void oneLetterWithTwoPhonesSpansBoth() {
        Tier words = tier("words", 0.3, 0.0, 0.3, "taxi");
        Tier phones = tier("phones", 0.3, 0.0, 0.05, "t", 0.05, 0.1, "ɑ", 0.1, 0.15, "k", 0.15, 0.25, "s", 0.25, 0.3, "i");
        Alignment a = new Alignment("b", 0, 0.3, Map.of("words", words, "phones", phones));
        Tier letters = LetterAlignment.letterTier(a, LetterTable.finnish(), FrameLabeler.Options.defaults(), new ArrayList<>());
        assertEquals(List.of(new Interval(0, 0.05, "t"), new Interval(0.05, 0.1, "a"), new Interval(0.1, 0.25, "x"), new Interval(0.25, 0.3, "i")),
                CorpusTest.round(letters.items()));
        assertSame(letters, a.with(letters).tier("letters"));
    }

    @Test
    void needsWordsAndPhones() {
        Alignment a = new Alignment("c.TextGrid", 0, 1, Map.of("words", tier("words", 1, 0.0, 1.0, "a")));
        UserError e = assertThrows(UserError.class, () -> LetterAlignment.letterTier(a, LetterTable.finnish(), FrameLabeler.Options.defaults(), new ArrayList<>()));
        assertEquals("c.TextGrid: letters need interval tiers 'words' and 'phones'; tiers: 'words'", e.getMessage());
    }
}
