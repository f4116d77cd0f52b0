package wavlens.corpus.synth;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Letters and words of a Finnish sentence as the corpus sees them: a word is a maximal run of
 * letters, everything else (spaces, punctuation) only separates words and is never spelled.
 */
public final class FinnishText {
    private FinnishText() {}

    /**
     * The Finnish alphabet (a–z, å, ä, ö) plus š and ž, which standard Finnish spelling uses in
     * loanwords (šakki, budžetti). Lower case; the order is the alphabet's.
     */
    public static final String ALPHABET = "abcdefghijklmnopqrsštuvwxyzžåäö";

    /** Punctuation a corpus sentence may contain besides letters and single spaces. */
    public static final String PUNCTUATION = ",.?!:;";

    /** One word of a sentence: its text, where it sits (char offsets), and its lower-case letters. */
    public record Word(String text, int start, int end, List<String> letters) {}

    public static boolean isLetter(char c) {
        return ALPHABET.indexOf(Character.toLowerCase(c)) >= 0;
    }

    /** NFC form, so that ä is one char whether the text was typed precomposed or not. */
    public static String normalize(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFC);
    }

    /** The words of a sentence, in order. */
    public static List<Word> words(String sentence) {
        List<Word> words = new ArrayList<>();
        int i = 0;
        while (i < sentence.length()) {
            if (!isLetter(sentence.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            List<String> letters = new ArrayList<>();
            while (i < sentence.length() && isLetter(sentence.charAt(i))) {
                letters.add(String.valueOf(Character.toLowerCase(sentence.charAt(i))));
                i++;
            }
            words.add(new Word(sentence.substring(start, i), start, i, List.copyOf(letters)));
        }
        return words;
    }

    /** All letters of a sentence in order, lower case, without spaces and punctuation. */
    public static String letters(String sentence) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sentence.length(); i++) {
            char c = sentence.charAt(i);
            if (isLetter(c)) sb.append(Character.toLowerCase(c));
        }
        return sb.toString();
    }

    /**
     * Why a sentence is not usable in the corpus, or null if it is: only letters of
     * {@link #ALPHABET} (either case), single spaces and {@link #PUNCTUATION}, at least one word.
     */
    public static String problem(String sentence) {
        if (sentence.isBlank()) return "empty sentence";
        if (!sentence.equals(sentence.strip())) return "leading or trailing space";
        if (sentence.contains("  ")) return "double space";
        for (int i = 0; i < sentence.length(); i++) {
            char c = sentence.charAt(i);
            if (isLetter(c) || c == ' ' || PUNCTUATION.indexOf(c) >= 0) continue;
            return String.format(Locale.ROOT, "character '%c' (U+%04X) is neither a Finnish letter, a space nor %s", c, (int) c, PUNCTUATION);
        }
        return null;
    }
}
