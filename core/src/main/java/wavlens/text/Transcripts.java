package wavlens.text;

import java.text.Normalizer;
import java.util.Locale;

/**
 * How transcripts are compared: one normalisation and one character edit count, shared by the
 * training loop's dev CER (engine) and the accuracy analysis, so both report the same number.
 *
 * <p>Normalisation: Unicode NFC, lower-case (Locale.ROOT), every run of whitespace becomes one
 * space, leading/trailing whitespace removed. Nothing else: punctuation is kept and counted, so
 * spell transcripts in the model's letters first if its alphabet lacks it.
 */
public final class Transcripts {
    private Transcripts() {}

    public static String normalize(String text) {
        String nfc = Normalizer.normalize(text, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
        return nfc.strip().replaceAll("\\s+", " ");
    }

    /** Code points of the normalised text, the single spaces between words included (as jiwer's cer counts them). */
    public static int[] characters(String text) {
        return normalize(text).codePoints().toArray();
    }

    /** Character edits (substitutions + deletions + insertions) between the normalised reference and hypothesis. */
    public static int characterEdits(String reference, String hypothesis) {
        return Levenshtein.distance(characters(reference), characters(hypothesis));
    }
}
