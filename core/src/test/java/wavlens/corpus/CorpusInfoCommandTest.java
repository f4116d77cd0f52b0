package wavlens.corpus;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import wavlens.cli.CorpusInfoCommand;
import wavlens.io.Json;

class CorpusInfoCommandTest {
    /** Runs the command, returns its standard output. */
    static String run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            assertEquals(0, new CommandLine(new CorpusInfoCommand()).execute(args));
        } finally {
            System.setOut(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static JsonNode lastLine(String out) throws Exception {
        String[] lines = out.strip().split("\n");
        return Json.MAPPER.readTree(lines[lines.length - 1]);
    }

    static Map<String, Integer> labels(JsonNode json) {
        Map<String, Integer> out = new TreeMap<>();
        json.get("labels").properties().forEach(e -> out.put(e.getKey(), e.getValue().intValue()));
        return out;
    }

    @Test
    void mfaFolderSummaryCountsPhonesOfTheAlignedUtterance(@TempDir Path dir) throws Exception {
        Path root = CorpusTest.mfaCorpus(dir);
        String out = run(root.toString(), "--json");
        JsonNode json = lastLine(out);
        assertEquals(5, json.get("utterances").intValue());
        assertEquals(3.5, json.get("audio_seconds").doubleValue(), 1e-12);
        assertEquals(2, json.get("speakers").intValue());
        assertEquals("phones tier", json.get("label_source").textValue());
        // spk1/a.TextGrid phones: sil h y ʋ æː h u o spn "" (the only alignment that fits its audio)
        assertEquals(new TreeMap<>(Map.of("<sil>", 2, "h", 2, "y", 1, "ʋ", 1, "æː", 1, "u", 1, "o", 1, "<unk>", 1)), labels(json));
        assertEquals(4, json.get("problems").size());
        java.util.List<String> files = new java.util.ArrayList<>();
        json.get("problems").forEach(p -> files.add(p.get("file").textValue()));
        assertEquals(java.util.List.of("broken.wav", "c.TextGrid", "d.TextGrid", "e.lab").stream().map(f -> root.resolve("spk2/" + f).toString()).toList(), files);
        assertTrue(out.contains("labels:     8 from phones tier, 1 of 5 utterances"), out);
        assertTrue(out.contains("speakers:   2 (spk1, spk2)"), out);
        assertTrue(out.contains("audio:      3.500 s"), out);
        assertTrue(out.contains("  " + root.resolve("spk2/d.TextGrid") + ": line 17: expected a number"), out);
    }

    @Test
    void withoutAlignmentsTheTranscriptLettersAreCounted(@TempDir Path dir) throws Exception {
        CorpusTest.wav(dir.resolve("one.wav"), 1600);
        Files.writeString(dir.resolve("one.lab"), "Šakki, aa!\n");
        String out = run(dir.toString(), "--json", "--vocab", VocabularyTest.VOCAB.toString());
        JsonNode json = lastLine(out);
        assertTrue(json.get("label_source").textValue().startsWith("transcript letters"), out);
        assertEquals(new TreeMap<>(Map.of("š", 1, "a", 3, "k", 2, "i", 1)), labels(json));
        assertEquals(1, json.get("dropped_characters").get(",").intValue());
        assertEquals(1, json.get("dropped_characters").get("!").intValue());
        assertEquals(0, json.get("speakers").intValue());
        assertEquals(1, json.get("problems").size());
        assertTrue(json.get("problems").get(0).get("reason").textValue().endsWith(": 'š'"), out);
        assertTrue(out.contains("dropped from transcripts (not letters): '!' ×1, ',' ×1"), out);
    }
}
