package wavlens.corpus.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import wavlens.io.UserError;

/**
 * Speakable Finnish sentences from HTML, plain-text or gettext .mo files (manuals, help pages,
 * articles, the translated messages of programs), for
 * {@code corpus synth --training-text}: the built-in corpus has only a few hundred sentences, and a
 * small model fine-tuned on them learns the sentences rather than the letters.
 *
 * <p>HTML: the text of every {@code <p>} element (tags removed, entities decoded); plain text: every
 * line; .mo: every translated message, LibreOffice's mnemonic marks (~) removed. Each is cut after
 * . ? or ! and a sentence is kept when it starts with a capital, holds only
 * Finnish letters, spaces and , : ; before its final mark, has minWords–maxWords words, and looks
 * Finnish: no common English function word (localised help often leaves English lines untranslated)
 * and at least 80 % of its words end as Finnish words do (a vowel or n, t, s, l, r, k).
 */
public final class SentenceHarvester {
    private SentenceHarvester() {}

    /** The kept sentences (sorted, unique) and how many files were read. */
    public record Result(List<String> sentences, int files) {}

    private static final Pattern SCRIPT_OR_STYLE = Pattern.compile("<script.*?</script>|<style.*?</style>", Pattern.DOTALL);
    private static final Pattern PARAGRAPH = Pattern.compile("<p[^>]*>(.*?)</p>", Pattern.DOTALL);
    private static final Pattern TAG = Pattern.compile("<[^>]+>");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);");
    private static final Pattern SPACES = Pattern.compile("(?U)\\s+");
    private static final Pattern SENTENCE = Pattern.compile("[^.?!]+[.?!]");
    private static final Pattern SPEAKABLE = Pattern.compile("^[A-Za-zÅÄÖåäöŠŽšž ,:;]+[.?!]$");
    private static final Pattern WORD = Pattern.compile("[A-Za-zÅÄÖåäöŠŽšž]+");
    private static final Set<String> ENGLISH = Set.of(("the and of to is for this you a an in on with are be or if that by as it from "
            + "can use will not select click opens shows displays your which all have has must then when there these its only also "
            + "into was were").split(" "));
    private static final String FINNISH_ENDINGS = "aeiouyäöntslrk";

    /** Reads every .html/.htm/.xhtml/.txt/.mo file under the inputs (files or folders), in path order. */
    public static Result harvest(List<Path> inputs, int minWords, int maxWords) {
        if (minWords < 1 || maxWords < minWords) throw new UserError("need 1 <= --min-words <= --max-words");
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> walk = Files.walk(input)) {
                    walk.filter(Files::isRegularFile).filter(SentenceHarvester::isText).forEach(files::add);
                } catch (IOException e) {
                    throw UserError.inFile(input, "cannot list: " + e.getMessage());
                }
            } else if (Files.isRegularFile(input)) {
                files.add(input);
            } else {
                throw UserError.inFile(input, "no such file or folder");
            }
        }
        files.sort(null);
        TreeSet<String> kept = new TreeSet<>();
        for (Path file : files) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw UserError.inFile(file, "cannot read: " + e.getMessage());
            }
            List<String> paragraphs = isMo(file) ? moMessages(bytes, file) : paragraphs(new String(bytes, StandardCharsets.UTF_8), isHtml(file));
            for (String paragraph : paragraphs) {
                Matcher m = SENTENCE.matcher(paragraph);
                while (m.find()) {
                    String sentence = m.group().strip();
                    if (isFinnishSentence(sentence, minWords, maxWords)) kept.add(sentence);
                }
            }
        }
        return new Result(List.copyOf(kept), files.size());
    }

    static boolean isFinnishSentence(String s, int minWords, int maxWords) {
        if (!SPEAKABLE.matcher(s).matches() || !Character.isUpperCase(s.charAt(0))) return false;
        if (s.contains(" ,") || s.contains("  ")) return false;
        List<String> words = new ArrayList<>();
        Matcher w = WORD.matcher(s);
        while (w.find()) words.add(w.group().toLowerCase(Locale.ROOT));
        if (words.size() < minWords || words.size() > maxWords) return false;
        int finnishEnding = 0;
        for (String word : words) {
            if (ENGLISH.contains(word)) return false;
            if (FINNISH_ENDINGS.indexOf(word.charAt(word.length() - 1)) >= 0) finnishEnding++;
        }
        return finnishEnding >= 0.8 * words.size();
    }

    private static List<String> paragraphs(String text, boolean html) {
        List<String> out = new ArrayList<>();
        if (!html) {
            for (String line : text.split("\n")) out.add(SPACES.matcher(line).replaceAll(" ").strip());
            return out;
        }
        String body = SCRIPT_OR_STYLE.matcher(text).replaceAll("");
        Matcher p = PARAGRAPH.matcher(body);
        while (p.find()) {
            String plain = decodeEntities(TAG.matcher(p.group(1)).replaceAll(""));
            out.add(SPACES.matcher(plain).replaceAll(" ").strip());
        }
        return out;
    }

    /** Numeric entities and the named ones that occur in Finnish text; others are left as they are (and fail the letter test). */
    static String decodeEntities(String s) {
        Matcher m = ENTITY.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1), value;
            if (name.startsWith("#")) {
                try {
                    boolean hex = name.startsWith("#x") || name.startsWith("#X");
                    value = Character.toString(Integer.parseInt(name.substring(hex ? 2 : 1), hex ? 16 : 10));
                } catch (IllegalArgumentException e) { // not a code point: keep the text as it is
                    value = m.group();
                }
            } else value = switch (name) {
                case "amp" -> "&";
                case "lt" -> "<";
                case "gt" -> ">";
                case "quot" -> "\"";
                case "apos" -> "'";
                case "nbsp" -> "\u00A0";
                case "auml" -> "ä";
                case "ouml" -> "ö";
                case "aring" -> "å";
                case "Auml" -> "Ä";
                case "Ouml" -> "Ö";
                case "Aring" -> "Å";
                default -> m.group();
            };
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * The translations in a GNU gettext .mo file, each plural form and line on its own, spaces
     * collapsed, ~ removed. Layout (GNU gettext manual, "The Format of GNU MO Files"): a 32-bit magic
     * 0x950412de in the file's byte order, the revision, the number of messages N, the offset of the
     * originals' table and of the translations' table, each N (length, offset) pairs; messages are
     * UTF-8 here (the charset the header entry names for the .mo files Debian ships).
     */
    static List<String> moMessages(byte[] bytes, Path file) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 28) throw UserError.inFile(file, "too short for a gettext .mo file (" + bytes.length + " bytes)");
        int magic = b.getInt(0);
        if (magic == 0xde120495) b.order(java.nio.ByteOrder.BIG_ENDIAN);
        else if (magic != 0x950412de) throw UserError.inFile(file, "not a gettext .mo file (magic " + Integer.toHexString(magic) + ")");
        long n = Integer.toUnsignedLong(b.getInt(8)), table = Integer.toUnsignedLong(b.getInt(16));
        if (table + 8 * n > bytes.length) throw UserError.inFile(file, "gettext .mo file cut short: " + n + " messages do not fit");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long length = Integer.toUnsignedLong(b.getInt((int) (table + 8L * i)));
            long offset = Integer.toUnsignedLong(b.getInt((int) (table + 8L * i + 4)));
            if (offset + length > bytes.length) throw UserError.inFile(file, "gettext .mo file: message " + i + " lies outside the file");
            String message = new String(bytes, (int) offset, (int) length, StandardCharsets.UTF_8);
            for (String line : message.split("[\\u0000\n]")) {
                String plain = SPACES.matcher(line.replace("~", "")).replaceAll(" ").strip();
                if (!plain.isEmpty()) out.add(plain);
            }
        }
        return out;
    }

    private static boolean isText(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return isHtml(p) || n.endsWith(".txt") || n.endsWith(".mo");
    }

    private static boolean isMo(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".mo");
    }

    private static boolean isHtml(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".html") || n.endsWith(".htm") || n.endsWith(".xhtml");
    }
}
