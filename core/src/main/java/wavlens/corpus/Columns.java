package wavlens.corpus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which metadata column holds the transcript, speaker, gender, age and audio in the table-like
 * layouts (Common Voice TSVs, Hugging Face Parquet shards and audiofolder metadata, FLEURS).
 * A field given here (the commands' {@code --text-column}, {@code --speaker-column}, ...) is
 * used as given; a null field is detected from the usual names, first match wins:
 * <ul>
 * <li>text: text, sentence, transcription, normalized_text, transcript, raw_transcription, raw_text
 * <li>speaker: speaker_id, speaker, client_id, spk_id, speaker_name
 * <li>gender: gender, sex; age: age; accent: accents, accent; locale: locale, language, lang
 * <li>audio (Parquet): audio, speech, or the first struct column with bytes and path
 * </ul>
 * Gender values are normalised to "male" / "female" (from m/f, male/female, Common Voice's
 * male_masculine/female_feminine, FLEURS' MALE/FEMALE); any other value is kept in lower case
 * (other, intersex, non-binary, transgender, do_not_wish_to_say, ...).
 */
public record Columns(String text, String speaker, String gender, String age, String audio) implements java.io.Serializable {
    /** Everything detected from the usual names. */
    public static final Columns DETECT = new Columns(null, null, null, null, null);

    /** The columns the commands were given ({@code --text-column} etc.); {@link Corpus#open(java.nio.file.Path)} reads it. */
    public static final ScopedValue<Columns> GIVEN = ScopedValue.newInstance();

    static Columns current() {
        return GIVEN.orElse(DETECT);
    }

    static final List<String> TEXT = List.of("text", "sentence", "transcription", "normalized_text", "transcript", "raw_transcription", "raw_text");
    static final List<String> SPEAKER = List.of("speaker_id", "speaker", "client_id", "spk_id", "speaker_name");
    static final List<String> GENDER = List.of("gender", "sex");
    static final List<String> AGE = List.of("age");
    static final List<String> ACCENT = List.of("accents", "accent");
    static final List<String> LOCALE = List.of("locale", "language", "lang");

    /** The columns of one table resolved against its header: field → header name (absent when the table has none). */
    record Resolved(String text, String speaker, String gender, String age, String accent, String locale) {
        List<String> used() {
            List<String> out = new ArrayList<>();
            for (String s : new String[] {text, speaker, gender, age, accent, locale}) if (s != null) out.add(s);
            return out;
        }
    }

    /**
     * Resolves against a table's header. A given column missing from the header is an error
     * (returned as the message, null when all are found).
     */
    Resolved resolve(Collection<String> header, List<String> missing) {
        return new Resolved(pick(text, TEXT, header, missing, "--text-column"), pick(speaker, SPEAKER, header, missing, "--speaker-column"),
                pick(gender, GENDER, header, missing, "--gender-column"), pick(age, AGE, header, missing, "--age-column"),
                pick(null, ACCENT, header, missing, null), pick(null, LOCALE, header, missing, null));
    }

    private static String pick(String given, List<String> usual, Collection<String> header, List<String> missing, String flag) {
        if (given != null) {
            for (String h : header) if (h.equals(given)) return h;
            for (String h : header) if (h.equalsIgnoreCase(given)) return h;
            missing.add(flag + " " + given + " is not a column (columns: " + String.join(", ", header) + ")");
            return null;
        }
        for (String name : usual) for (String h : header) if (h.equalsIgnoreCase(name)) return h;
        return null;
    }

    /** male / female from the spellings corpora use; anything else lower-cased; blank → null. */
    public static String normaliseGender(String value) {
        if (value == null || value.isBlank()) return null;
        String v = value.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "m", "male", "male_masculine", "man", "masculine" -> "male";
            case "f", "female", "female_feminine", "woman", "feminine" -> "female";
            default -> v;
        };
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** Accent and locale, when the table has them, as an utterance's extra metadata. */
    static Map<String, String> extra(Resolved r, Map<String, String> row) {
        Map<String, String> out = new LinkedHashMap<>();
        if (r.accent() != null && blankToNull(row.get(r.accent())) != null) out.put("accent", row.get(r.accent()).strip());
        if (r.locale() != null && blankToNull(row.get(r.locale())) != null) out.put("locale", row.get(r.locale()).strip());
        return out;
    }
}
