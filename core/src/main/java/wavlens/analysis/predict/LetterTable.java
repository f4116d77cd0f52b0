package wavlens.analysis.predict;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * One row per letter: the fine-tuned model's accuracy on it, its relative frequency in the
 * fine-tuning transcripts, and the PRETRAINED model's per-letter cluster purity and entropy at every
 * layer.
 *
 * <p>File form (JSON):
 * <pre>
 * {
 *   "accuracy_measure": "f1",                 // what "accuracy" is (free text: f1, recall, ...)
 *   "letters": [
 *     {"letter": "a", "accuracy": 0.97, "training_frequency": 0.121,
 *      "purity": [0.31, 0.35, ...],             // one value per layer, layer 0 first
 *      "entropy": [2.1, 1.9, ...]},             // same length as purity
 *     ...
 *   ]
 * }
 * </pre>
 * training_frequency is count / total letters of the fine-tuning transcripts (as
 * {@link wavlens.analysis.accuracy.LetterFrequencies#relative}) and must be &gt; 0 (its log is a predictor).
 *
 * @param purity  [layer][letter]
 * @param entropy [layer][letter]
 */
public record LetterTable(String accuracyMeasure, List<String> letters, double[] accuracy, double[] trainingFrequency,
                          double[][] purity, double[][] entropy) {

    public int size() {
        return letters.size();
    }

    public int layers() {
        return purity.length;
    }

    public static LetterTable read(Path file) {
        JsonNode root = Json.read(file);
        JsonNode rows = root.path("letters");
        if (!rows.isArray() || rows.isEmpty()) throw UserError.inFile(file, "needs a non-empty \"letters\" array");
        int n = rows.size(), layers = -1;
        List<String> letters = new ArrayList<>();
        double[] accuracy = new double[n], frequency = new double[n];
        double[][] purity = null, entropy = null;
        for (int i = 0; i < n; i++) {
            JsonNode r = rows.get(i);
            String letter = r.path("letter").asText("");
            if (letter.isEmpty()) throw UserError.inFile(file, "letters[" + i + "] has no \"letter\"");
            if (letters.contains(letter)) throw UserError.inFile(file, "letter \"" + letter + "\" appears twice");
            letters.add(letter);
            accuracy[i] = number(file, r, "accuracy", letter);
            frequency[i] = number(file, r, "training_frequency", letter);
            if (!(frequency[i] > 0)) throw UserError.inFile(file, "letter \"" + letter + "\": training_frequency must be > 0");
            JsonNode p = r.path("purity"), e = r.path("entropy");
            if (!p.isArray() || !e.isArray() || p.size() != e.size() || p.isEmpty())
                throw UserError.inFile(file, "letter \"" + letter + "\": purity and entropy must be arrays of equal, non-zero length (one value per layer)");
            if (layers < 0) {
                layers = p.size();
                purity = new double[layers][n];
                entropy = new double[layers][n];
            } else if (p.size() != layers) {
                throw UserError.inFile(file, "letter \"" + letter + "\" has " + p.size() + " layers, the first letter has " + layers);
            }
            for (int l = 0; l < layers; l++) {
                if (!p.get(l).isNumber() || !e.get(l).isNumber()) throw UserError.inFile(file, "letter \"" + letter + "\": non-numeric purity/entropy at layer " + l);
                purity[l][i] = p.get(l).asDouble();
                entropy[l][i] = e.get(l).asDouble();
            }
        }
        return new LetterTable(root.path("accuracy_measure").asText("accuracy"), List.copyOf(letters), accuracy, frequency, purity, entropy);
    }

    private static double number(Path file, JsonNode row, String key, String letter) {
        JsonNode v = row.get(key);
        if (v == null || !v.isNumber()) throw UserError.inFile(file, "letter \"" + letter + "\": \"" + key + "\" must be a number");
        return v.asDouble();
    }

    public void write(Path file) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("letter", letters.get(i));
            r.put("accuracy", accuracy[i]);
            r.put("training_frequency", trainingFrequency[i]);
            double[] p = new double[layers()], e = new double[layers()];
            for (int l = 0; l < layers(); l++) {
                p[l] = purity[l][i];
                e[l] = entropy[l][i];
            }
            r.put("purity", p);
            r.put("entropy", e);
            rows.add(r);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("accuracy_measure", accuracyMeasure);
        root.put("letters", rows);
        Json.write(file, root);
    }
}
