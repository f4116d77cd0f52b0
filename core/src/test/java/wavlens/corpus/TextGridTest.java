package wavlens.corpus;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wavlens.io.UserError;

class TextGridTest {
    static final Path FIXTURES = Path.of("src/test/resources/corpus/textgrid");

    /** What every fixture holds (written by hand in long.TextGrid and its short/UTF-16 copies). */
    static void assertFixture(Alignment a) {
        assertEquals(0.0, a.xmin());
        assertEquals(1.5, a.xmax());
        assertEquals(List.of("words", "phones", "events"), List.copyOf(a.tiers().keySet()));
        Tier words = a.tier("words");
        assertFalse(words.pointTier());
        assertEquals(List.of(new Interval(0, 0.2, ""), new Interval(0.2, 0.65, "hyvää"),
                new Interval(0.65, 1.3, "huomenta"), new Interval(1.3, 1.5, "")), words.items());
        Tier phones = a.tier("phones");
        assertEquals(7, phones.items().size());
        assertEquals(new Interval(0.45, 0.65, "æː"), phones.items().get(4));
        assertEquals("ʋ", phones.items().get(3).text());
        Tier events = a.tier("events");
        assertTrue(events.pointTier());
        assertEquals(List.of(new Interval(0.25, 0.25, "say \"hi\""), new Interval(1.25, 1.25, "ö")), events.items());
    }

    @ParameterizedTest
    @ValueSource(strings = {"long.TextGrid", "short.TextGrid", "long-utf16le.TextGrid", "short-utf16be.TextGrid", "praat-saved-utf16be.TextGrid"})
    void readsLongShortUtf8AndUtf16(String name) {
        List<Problem> warnings = new ArrayList<>();
        assertFixture(TextGrid.read(FIXTURES.resolve(name), warnings));
        assertEquals(List.of(), warnings);
    }

    @Test
    void readsUtf8WithBomAndUtf16WithoutBom(@TempDir Path dir) throws Exception {
        String text = Files.readString(FIXTURES.resolve("long.TextGrid"));
        Path bom = dir.resolve("bom.TextGrid");
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        Files.write(bom, withBom);
        assertFixture(TextGrid.read(bom, new ArrayList<>()));
        Path le = dir.resolve("le.TextGrid");
        Files.write(le, text.getBytes(StandardCharsets.UTF_16LE));
        assertFixture(TextGrid.read(le, new ArrayList<>()));
    }

    @Test
    void latin1IsReadWithAWarning(@TempDir Path dir) throws Exception {
        String text = Files.readString(FIXTURES.resolve("short.TextGrid"));
        Path f = dir.resolve("latin.TextGrid");
        Files.write(f, text.replace("ʋ", "v").replace("æː", "ä").getBytes(StandardCharsets.ISO_8859_1));
        List<Problem> warnings = new ArrayList<>();
        Alignment a = TextGrid.read(f, warnings);
        assertEquals("hyvää", a.tier("words").items().get(1).text());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).reason().contains("ISO-8859-1"), warnings.toString());
    }

    @Test
    void writtenFileReadsBackIdentically(@TempDir Path dir) {
        Alignment a = TextGrid.read(FIXTURES.resolve("short.TextGrid"), new ArrayList<>());
        Path out = dir.resolve("out.TextGrid");
        TextGrid.write(out, a);
        assertFixture(TextGrid.read(out, new ArrayList<>()));
        // the long format, as Praat writes it
        String text = TextGrid.format(a);
        assertTrue(text.startsWith("File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\nxmin = 0 \nxmax = 1.5 \ntiers? <exists> \nsize = 3 \n"), text);
        assertTrue(text.contains("        intervals [2]:\n            xmin = 0.2 \n            xmax = 0.65 \n            text = \"hyvää\" \n"), text);
        assertTrue(text.contains("            number = 0.25 \n            mark = \"say \"\"hi\"\"\" \n"), text);
    }

    /** Praat's own "Save as text file" of this alignment is the reference for the long format. */
    @Test
    void writerProducesWhatPraatWrites() throws Exception {
        Alignment a = TextGrid.read(FIXTURES.resolve("short.TextGrid"), new ArrayList<>());
        byte[] praat = Files.readAllBytes(FIXTURES.resolve("praat-saved-utf16be.TextGrid"));
        assertEquals(new String(praat, 2, praat.length - 2, StandardCharsets.UTF_16BE), TextGrid.format(a));
    }

    @Test
    void numbersAreShortestRoundTripWithoutExponent() {
        assertEquals("0", TextGrid.num(0));
        assertEquals("2", TextGrid.num(2.0));
        assertEquals("0.1", TextGrid.num(0.1));
        assertEquals("0.00001", TextGrid.num(1e-5));
        assertEquals("0.30000000000000004", TextGrid.num(0.1 + 0.2));
    }

    @Test
    void tierByNameListsTheTiersWhenMissing() {
        Alignment a = TextGrid.read(FIXTURES.resolve("long.TextGrid"), new ArrayList<>());
        UserError e = assertThrows(UserError.class, () -> a.tier("letters"));
        assertTrue(e.getMessage().endsWith("long.TextGrid: no tier named 'letters'; tiers: 'words', 'phones', 'events' (points)"), e.getMessage());
        assertSame(a.tier("phones"), a.firstTier("letters", "PHONES"));
        assertNull(a.firstTier("letters"));
        Tier speakerWords = new Tier("anna - words", false, 0, 1, List.of(new Interval(0, 1, "hei")));
        assertSame(speakerWords, new Alignment("m", 0, 1, java.util.Map.of("anna - words", speakerWords)).firstTier("words"));
    }

    @Test
    void intervalAtUsesHalfOpenIntervals() {
        Tier words = TextGrid.read(FIXTURES.resolve("long.TextGrid"), new ArrayList<>()).tier("words");
        assertEquals("", words.intervalAt(0).text());
        assertEquals("hyvää", words.intervalAt(0.2).text());
        assertEquals("hyvää", words.intervalAt(0.6499).text());
        assertEquals("huomenta", words.intervalAt(0.65).text());
        assertEquals("", words.intervalAt(1.5).text()); // the tier's end belongs to the last interval
        assertNull(words.intervalAt(1.5001));
        assertNull(words.intervalAt(-0.1));
    }

    // ------------------------------------------------------------ bad input

    /** A short-format TextGrid with one interval tier "w" over [0, 2] holding these (start, end, text) triples. */
    static String shortGrid(double tierMin, double tierMax, Object... items) {
        StringBuilder sb = new StringBuilder("File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\n0\n2\n<exists>\n1\n\"IntervalTier\"\n\"w\"\n");
        sb.append(TextGrid.num(tierMin)).append('\n').append(TextGrid.num(tierMax)).append('\n').append(items.length / 3).append('\n');
        for (int i = 0; i < items.length; i += 3) {
            sb.append(items[i]).append('\n').append(items[i + 1]).append('\n').append('"').append(items[i + 2]).append("\"\n");
        }
        return sb.toString();
    }

    static String error(String text) {
        return assertThrows(UserError.class, () -> TextGrid.parse(text, "x.TextGrid", new ArrayList<>())).getMessage();
    }

    @Test
    void overlappingIntervalsAreRejectedWithIntervalAndLine() {
        String m = error(shortGrid(0, 2, 0, 1, "a", 0.9, 2, "b"));
        // line 16 is the "0.9" of the second interval (header 7 lines, tier 5, first interval 3)
        assertEquals("x.TextGrid: tier 'w' interval 2 (line 16): overlaps the previous interval (starts at 0.9 s, the previous one ends at 1 s)", m);
    }

    @Test
    void unsortedIntervalsAreRejected() {
        String m = error(shortGrid(0, 2, 1, 2, "b", 0, 1, "a"));
        assertTrue(m.contains("tier 'w' interval 2 (line 16): unsorted, starts at 0 s, before the previous interval (1 s)"), m);
    }

    @Test
    void intervalOutsideTheTierIsRejected() {
        String m = error(shortGrid(0, 2, 0, 1, "a", 1, 2.5, "b"));
        assertTrue(m.contains("tier 'w' interval 2 (line 16): 1–2.5 s is outside the tier's 0–2 s"), m);
    }

    @Test
    void tierOutsideTheFileIsRejected() {
        String m = error(shortGrid(0, 3, 0, 3, "a"));
        assertTrue(m.contains("line 8: tier 'w' spans 0–3 s, outside the TextGrid's 0–2 s"), m);
    }

    @Test
    void intervalEndingBeforeItStartsIsRejected() {
        String m = error(shortGrid(0, 2, 0, 1, "a", 1.5, 1.2, "b"));
        assertTrue(m.contains("interval 2 (line 16): ends at 1.2 s before it starts at 1.5 s"), m);
    }

    @Test
    void gapsAreFilledWithSilenceAndReported() {
        List<Problem> warnings = new ArrayList<>();
        Alignment a = TextGrid.parse(shortGrid(0, 2, 0.5, 1, "a", 1.25, 1.5, "b"), "x.TextGrid", warnings);
        assertEquals(List.of(new Interval(0, 0.5, ""), new Interval(0.5, 1, "a"), new Interval(1, 1.25, ""),
                new Interval(1.25, 1.5, "b"), new Interval(1.5, 2, "")), a.tier("w").items());
        assertEquals(List.of(
                new Problem("x.TextGrid", "tier 'w' interval 1 (line 13): gap 0–0.5 s before it, filled as silence"),
                new Problem("x.TextGrid", "tier 'w' interval 2 (line 16): gap 1–1.25 s before it, filled as silence"),
                new Problem("x.TextGrid", "tier 'w': gap 1.5–2 s at the end, filled as silence")), warnings);
    }

    @Test
    void zeroLengthIntervalsAreLeftOutAndReported() {
        List<Problem> warnings = new ArrayList<>();
        Alignment a = TextGrid.parse(shortGrid(0, 2, 0, 1, "a", 1, 1, "x", 1, 2, "b"), "x.TextGrid", warnings);
        assertEquals(List.of(new Interval(0, 1, "a"), new Interval(1, 2, "b")), a.tier("w").items());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).reason().contains("interval 2 (line 16): zero length at 1 s (\"x\"), left out"), warnings.toString());
    }

    @Test
    void syntaxErrorsNameTheLine() {
        String ok = shortGrid(0, 2, 0, 2, "a");
        // a bare word is a label to the reader, so the error shows at the next value
        assertEquals("x.TextGrid: line 15: expected a number (xmax of tier 'w' interval 1 of 1), found the string \"a\"",
                error(ok.replace("\n0\n2\n\"a\"", "\n0\nzwei\n\"a\"")));
        assertEquals("x.TextGrid: line 15: expected a quoted string (the text of tier 'w' interval 1 of 1), found the number 3",
                error(ok.replace("\"a\"\n", "3\n")));
        assertEquals("x.TextGrid: line 15: string never closed (missing '\"')", error(ok.replace("\"a\"\n", "\"a\n")));
        assertTrue(error(ok.replace("\"w\"\n0\n2\n1\n", "\"w\"\n0\n2\n2\n")).contains("file ends where xmin of tier 'w' interval 2 of 2 should be"));
        assertTrue(error(ok.replace("IntervalTier", "PitchTier")).contains("line 8: tier 1 of 1 has class \"PitchTier\""));
        assertTrue(error(ok + "0\n").contains("unexpected values after the last of 1 tiers"));
        assertTrue(error(ok.replace("\"w\"\n0\n2\n1\n", "\"w\"\n0\n2\n1.5\n")).contains("must be a whole number"));
        assertEquals("x.TextGrid: empty file, not a TextGrid", error("  \n"));
        assertTrue(error(ok.replace("\"TextGrid\"", "\"Sound\"")).contains("object class is \"Sound\""));
        assertTrue(error("ooBinaryFile\u0008TextGrid").contains("binary TextGrid"));
        assertTrue(error(ok.replace("ooTextFile", "JSON")).contains("file type is \"JSON\""));
    }

    @Test
    void pointsMustIncreaseAndLieInTheTier() {
        String grid = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\n0\n2\n<exists>\n1\n\"TextTier\"\n\"p\"\n0\n2\n2\n%s\n\"a\"\n%s\n\"b\"\n";
        assertTrue(error(String.format(grid, "1", "1")).contains("tier 'p' point 2 (line 15): time 1 s is not after the previous point (1 s)"));
        assertTrue(error(String.format(grid, "1", "2.5")).contains("tier 'p' point 2 (line 15): time 2.5 s is outside the tier's 0–2 s"));
    }

    @Test
    void duplicateTierNameKeepsTheFirstWithAWarning() {
        String one = "\"IntervalTier\"\n\"w\"\n0\n2\n1\n0\n2\n\"%s\"\n";
        String grid = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\n0\n2\n<exists>\n2\n" + String.format(one, "first") + String.format(one, "second");
        List<Problem> warnings = new ArrayList<>();
        Alignment a = TextGrid.parse(grid, "x.TextGrid", warnings);
        assertEquals("first", a.tier("w").items().get(0).text());
        assertEquals(List.of(new Problem("x.TextGrid", "line 16: a second tier named 'w'; kept the first")), warnings);
    }

    @Test
    void alignmentLongerThanTheAudioIsAMismatch() {
        Alignment a = TextGrid.read(FIXTURES.resolve("long.TextGrid"), new ArrayList<>());
        assertNull(a.mismatchWithAudio(1.5));
        assertNull(a.mismatchWithAudio(1.495)); // within the 10 ms rounding tolerance
        assertEquals("tier 'words' interval 4 (\"\") ends at 1.500 s, beyond the audio (1.400 s)", a.mismatchWithAudio(1.4));
        assertEquals("tier 'words' interval 3 (\"huomenta\") ends at 1.300 s, beyond the audio (1.000 s)", a.mismatchWithAudio(1.0));
    }
}
