package wavlens.corpus;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.UserError;

class LetterTableTest {
    static final LetterTable FI = LetterTable.finnish();

    @Test
    void finnishAlphabet() {
        List<String> alphabet = FI.alphabet();
        assertEquals(31, alphabet.size()); // a–z, å, ä, ö, š, ž
        assertEquals("a", alphabet.getFirst());
        assertEquals(List.of("å", "ä", "ö", "š", "ž"), alphabet.subList(26, 31));
    }

    @Test
    void lettersDropPunctuationAndDigitsWithAReport() {
        Map<String, Integer> dropped = new LinkedHashMap<>();
        List<String> letters = FI.letters("Hyvää huomenta, mitä kuuluu? 3 kertaa!", dropped);
        assertEquals(List.of("h", "y", "v", "ä", "ä", "h", "u", "o", "m", "e", "n", "t", "a", "m", "i", "t", "ä",
                "k", "u", "u", "l", "u", "u", "k", "e", "r", "t", "a", "a"), letters);
        assertEquals(Map.of(",", 1, "?", 1, "3", 1, "!", 1), dropped);
        assertEquals("',' ×1, '?' ×1, '3' ×1, '!' ×1", LetterTable.describeDropped(dropped));
    }

    @Test
    void ctcTextJoinsWordsWithTheDelimiter() {
        assertEquals("hyvää|huomenta|linjaauto", FI.ctcText("  Hyvää   HUOMENTA\tlinja-auto. ", null));
        assertEquals("", FI.ctcText("123 ...", null));
    }

    @Test
    void decomposedAndAccentedLettersAreFolded() {
        // "ä" written as a + combining diaeresis (macOS file names do this), é and ü from names
        assertEquals(List.of("ä", "ä"), FI.letters("a\u0308A\u0308", null));
        assertEquals("kafe|myller|šakki", FI.ctcText("Kafé Müller Šakki", null));
    }

    @Test
    void phonesKeepLengthAsDoubledSymbols() {
        assertEquals(List.of("t", "u", "u", "l", "i"), FI.phones("tuuli", null));
        assertEquals(List.of("k", "u", "k", "k", "ɑ"), FI.phones("kukka", null));
        assertEquals(List.of("h", "y", "ʋ", "æ", "æ"), FI.phones("hyvää", null));
    }

    @Test
    void ngIsTheLongVelarNasalAndNkIsVelarPlusK() {
        assertEquals(List.of("k", "e", "ŋ", "ŋ", "æ", "t"), FI.phones("kengät", null));
        assertEquals(List.of("k", "e", "ŋ", "k", "æ"), FI.phones("kenkä", null));
        // rules apply inside words only: "kun" + "gaala" keeps n and g apart
        assertEquals(List.of("k", "u", "n", "g", "ɑ", "ɑ", "l", "ɑ"), FI.phones("kun gaala", null));
        assertEquals(List.of("t", "s", "e", "k", "s", "i"), FI.phones("zexi", null));
    }

    @Test
    void userTableReplacesTheDefault(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("mine.tsv");
        Files.writeString(f, "# two letters\nletter\ta\nletter\tn\nletter\tg\nphone\ta\tA\nphone\tn\tN\nphone\tg\tG\nphone\tng\tŊ\n");
        LetterTable t = LetterTable.read(f);
        assertEquals(List.of("a", "n", "g"), t.alphabet());
        assertEquals(List.of("A", "Ŋ", "A"), t.phones("anga", null));
        Map<String, Integer> dropped = new LinkedHashMap<>();
        assertEquals(List.of("a", "a"), t.letters("aba", dropped));
        assertEquals(Map.of("b", 1), dropped);
    }

    @Test
    void badTablesAreUserErrorsWithTheLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.tsv");
        Files.writeString(f, "letter\ta\nletter\tab\n");
        assertEquals(f + ": line 2: expected 'letter<TAB>x' with one character x", assertThrows(UserError.class, () -> LetterTable.read(f)).getMessage());
        Files.writeString(f, "letter\ta\nsound\ta\tb\n");
        assertTrue(assertThrows(UserError.class, () -> LetterTable.read(f)).getMessage().contains("line 2: unknown entry 'sound'"));
        Files.writeString(f, "letter\ta\nletter\tb\nphone\ta\tA\n");
        assertTrue(assertThrows(UserError.class, () -> LetterTable.read(f)).getMessage().contains("letter 'b' has no phone rule"));
        Files.writeString(f, "letter\ta\nphone\ta\tA\nfold\tä\tx\n");
        assertTrue(assertThrows(UserError.class, () -> LetterTable.read(f)).getMessage().contains("fold 'ä' gives 'x', which is not a letter"));
        assertEquals(dir.resolve("none.tsv") + ": no such file", assertThrows(UserError.class, () -> LetterTable.read(dir.resolve("none.tsv"))).getMessage());
    }

    @Test
    void phoneInventoryOfTheFinnishTable() {
        List<String> phones = FI.phoneInventory();
        assertTrue(phones.containsAll(List.of("ɑ", "æ", "ø", "ŋ", "ʋ", "ʃ", "ʒ")));
        assertFalse(phones.contains("ä"));
    }
}
