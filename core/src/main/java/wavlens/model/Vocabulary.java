package wavlens.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * A CTC vocabulary as Wav2Vec2CTCTokenizer saves it: vocab.json (token → id) and, optionally,
 * tokenizer_config.json (pad, unk and word-delimiter tokens).
 */
public record Vocabulary(String[] tokens, Map<String, Integer> ids, int blankId, String wordDelimiter, String unkToken) {

    /** Reads vocab.json (required) and tokenizer_config.json (optional) from a model folder. */
    public static Vocabulary read(Path modelDir, Wav2Vec2Config cfg) {
        Path vocabFile = modelDir.resolve("vocab.json");
        if (!Files.exists(vocabFile)) {
            throw UserError.inFile(modelDir, "no vocab.json: transcribing needs the CTC vocabulary (token → id) the model was trained with");
        }
        JsonNode v = Json.read(vocabFile);
        if (!v.isObject() || v.isEmpty()) throw UserError.inFile(vocabFile, "expected a JSON object mapping tokens to ids");
        Map<String, Integer> ids = new HashMap<>();
        int max = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt()) throw UserError.inFile(vocabFile, "token \"" + e.getKey() + "\" has a non-integer id");
            ids.put(e.getKey(), e.getValue().asInt());
            max = Math.max(max, e.getValue().asInt());
        }
        String[] tokens = new String[max + 1];
        ids.forEach((t, i) -> tokens[i] = t);
        String delimiter = "|";
        String unk = "<unk>";
        String pad = null;
        Path tokConfig = modelDir.resolve("tokenizer_config.json");
        if (Files.exists(tokConfig)) {
            JsonNode t = Json.read(tokConfig);
            delimiter = tokenText(t.get("word_delimiter_token"), delimiter);
            unk = tokenText(t.get("unk_token"), unk);
            pad = tokenText(t.get("pad_token"), null);
        }
        // The blank of CTC is the pad token: config.pad_token_id, which equals the tokenizer's pad id.
        int blank = cfg.padTokenId();
        if (pad != null && ids.containsKey(pad) && ids.get(pad) != blank) {
            throw UserError.inFile(tokConfig, "pad_token \"" + pad + "\" has id " + ids.get(pad)
                    + " but config.json says pad_token_id " + blank);
        }
        if (tokens.length != cfg.vocabSize()) {
            throw UserError.inFile(vocabFile, "holds " + tokens.length + " ids but config.json says vocab_size " + cfg.vocabSize());
        }
        return new Vocabulary(tokens, ids, blank, delimiter, unk);
    }

    /** Builds a vocabulary from tokens in id order (for models made by wavlens itself). */
    public static Vocabulary of(String[] tokens, int blankId, String wordDelimiter, String unkToken) {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < tokens.length; i++) ids.put(tokens[i], i);
        return new Vocabulary(tokens, ids, blankId, wordDelimiter, unkToken);
    }

    private static String tokenText(JsonNode n, String dflt) {
        if (n == null || n.isNull()) return dflt;
        if (n.isObject()) return n.path("content").asText(dflt);   // AddedToken serialisation
        return n.asText();
    }

    public int size() {
        return tokens.length;
    }

    /** Per-frame argmax of [frames × vocab] logits (lowest index wins ties, like torch.argmax). */
    public static int[] argmax(float[] logits, int frames, int vocab) {
        int[] ids = new int[frames];
        for (int t = 0; t < frames; t++) {
            int best = 0;
            for (int i = 1; i < vocab; i++) if (logits[t * vocab + i] > logits[t * vocab + best]) best = i;
            ids[t] = best;
        }
        return ids;
    }

    /**
     * CTC greedy decoding as processor.batch_decode does it by default: collapse repeated ids,
     * drop the blank, map ids to tokens, the word delimiter becomes a space, strip the ends.
     * Other special tokens are kept verbatim.
     */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        int prev = -1;
        for (int id : ids) {
            if (id != prev && id != blankId) {
                String tok = id >= 0 && id < tokens.length && tokens[id] != null ? tokens[id] : unkToken;
                sb.append(tok.equals(wordDelimiter) ? " " : tok);
            }
            prev = id;
        }
        return sb.toString().strip();
    }
}
