package wavlens.corpus.synth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import wavlens.io.UserError;

/**
 * The built-in Finnish sentences (resource wavlens/synth/sentences-fi.txt): several hundred
 * original sentences written for this project, covering every letter of {@link FinnishText#ALPHABET}
 * including the rare b, c, f, g, š, ž, z, x, q, w and å, long vowels and geminates.
 */
public final class Sentences {
    private Sentences() {}

    public static final String RESOURCE = "/wavlens/synth/sentences-fi.txt";

    /** The built-in sentences in file order. */
    public static List<String> builtIn() {
        try (InputStream in = Sentences.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("resource " + RESOURCE + " missing from the build");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * A user's sentences from a UTF-8 text file, under the same rules as the built-in ones; a line
     * that cannot be spoken letter by letter is a UserError naming the file and line.
     */
    public static List<String> fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw UserError.inFile(file, "no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw UserError.inFile(file, "not UTF-8 text");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
        try {
            List<String> sentences = parse(text, file.toString());
            if (sentences.isEmpty()) throw UserError.inFile(file, "holds no sentences");
            return sentences;
        } catch (IllegalStateException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** One sentence a line; blank lines and lines starting with # are skipped; duplicates and bad characters are errors. */
    static List<String> parse(String text, String source) {
        List<String> sentences = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = FinnishText.normalize(lines[i].strip());
            if (line.isEmpty() || line.startsWith("#")) continue;
            String problem = FinnishText.problem(line);
            if (problem != null) throw new IllegalStateException(source + " line " + (i + 1) + ": " + problem);
            if (!seen.add(line)) throw new IllegalStateException(source + " line " + (i + 1) + ": duplicate sentence");
            sentences.add(line);
        }
        return List.copyOf(sentences);
    }
}
