package wavlens.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * A CTC model's output vocabulary (HF {@code vocab.json}: token → id), for checking that
 * transcripts can be written with it. The word delimiter is "|" as in Wav2Vec2CTCTokenizer.
 */
public final class Vocabulary {
    public static final String WORD_DELIMITER = "|";

    private final String source;
    private final Map<String, Integer> ids;

    public Vocabulary(String source, Map<String, Integer> ids) {
        this.source = source;
        this.ids = new LinkedHashMap<>(ids);
    }

    public static Vocabulary read(Path vocabJson) {
        JsonNode root = Json.read(vocabJson);
        if (!root.isObject()) throw UserError.inFile(vocabJson, "expected a JSON object {\"token\": id, ...}");
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (var e : root.properties()) {
            if (!e.getValue().canConvertToInt()) {
                throw UserError.inFile(vocabJson, "token \"" + e.getKey() + "\" has id " + e.getValue() + ", expected a whole number");
            }
            ids.put(e.getKey(), e.getValue().intValue());
        }
        return new Vocabulary(vocabJson.toString(), ids);
    }

    public Map<String, Integer> ids() {
        return java.util.Collections.unmodifiableMap(ids);
    }

    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    /** The characters of a CTC target string (see {@link LetterTable#ctcText}) that the vocabulary lacks, each once, in order. */
    public List<String> missing(String ctcText) {
        Set<String> out = new LinkedHashSet<>();
        for (String c : LetterTable.codePoints(ctcText)) {
            if (!ids.containsKey(c)) out.add(c);
        }
        return new ArrayList<>(out);
    }

    /**
     * One problem per utterance whose normalised transcript uses characters outside the
     * vocabulary, naming the transcript's file, the utterance and the characters.
     */
    public List<Problem> check(List<Utterance> utterances, LetterTable table) {
        List<Problem> problems = new ArrayList<>();
        for (Utterance u : utterances) {
            if (u.transcript() == null) continue;
            List<String> missing = missing(table.ctcText(u.transcript(), null));
            if (!missing.isEmpty()) {
                problems.add(new Problem(u.transcriptSource(), "utterance " + u.id() + ": characters not in the vocabulary "
                        + source + ": " + String.join(" ", missing.stream().map(c -> "'" + c + "'").toList())));
            }
        }
        return problems;
    }
}
