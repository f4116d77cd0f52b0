package wavlens.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wavlens.corpus.LetterTable;
import wavlens.io.Json;
import wavlens.model.Vocabulary;

/**
 * The output vocabulary of a CTC head fine-tuned by wavlens, in the layout of HF's
 * Wav2Vec2CTCTokenizer: [PAD] = 0 (the CTC blank, config.pad_token_id), [UNK] = 1, the word
 * delimiter "|" = 2, then the letters of the letter table in its order.
 */
public record CtcVocabulary(List<String> tokens) {
    public static final String PAD = "[PAD]", UNK = "[UNK]", DELIMITER = "|";
    public static final int BLANK = 0, UNK_ID = 1;

    public static CtcVocabulary of(LetterTable table) {
        List<String> t = new ArrayList<>(List.of(PAD, UNK, DELIMITER));
        t.addAll(table.alphabet());
        return new CtcVocabulary(List.copyOf(t));
    }

    public int size() {
        return tokens.size();
    }

    /** Ids of a CTC target string (letters and "|", see {@link LetterTable#ctcText}); unknown characters become [UNK]. */
    public int[] encode(String ctcText) {
        Map<String, Integer> ids = ids();
        return ctcText.codePoints().map(cp -> ids.getOrDefault(new String(Character.toChars(cp)), UNK_ID)).toArray();
    }

    public Map<String, Integer> ids() {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) ids.put(tokens.get(i), i);
        return ids;
    }

    /** The decoding vocabulary of the inference engine (greedy CTC). */
    public Vocabulary decoder() {
        return Vocabulary.of(tokens.toArray(String[]::new), BLANK, DELIMITER, UNK);
    }

    /** Writes vocab.json, tokenizer_config.json and special_tokens_map.json as the HF tokenizer saves them. */
    public void write(Path dir) {
        Json.write(dir.resolve("vocab.json"), ids());
        Map<String, Object> tok = new LinkedHashMap<>();
        tok.put("tokenizer_class", "Wav2Vec2CTCTokenizer");
        tok.put("pad_token", PAD);
        tok.put("unk_token", UNK);
        tok.put("word_delimiter_token", DELIMITER);
        tok.put("bos_token", null);
        tok.put("eos_token", null);
        tok.put("do_lower_case", false);
        tok.put("replace_word_delimiter_char", " ");
        Json.write(dir.resolve("tokenizer_config.json"), tok);
        Map<String, Object> special = new LinkedHashMap<>();
        special.put("pad_token", PAD);
        special.put("unk_token", UNK);
        Json.write(dir.resolve("special_tokens_map.json"), special);
    }
}
