package wavlens.corpus;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wavlens.io.AtomicFiles;
import wavlens.io.UserError;

/**
 * Praat TextGrid files, text formats only: the long "ooTextFile" form ({@code xmin = 0},
 * {@code intervals [1]:}, ...) and the short form (bare numbers and strings) — as Praat and the
 * Montreal Forced Aligner write them.
 *
 * <p>Both forms are one stream of values: quoted strings ({@code ""} inside a string is a quote),
 * numbers and {@code <exists>}/{@code <absent>} flags. The long form adds labels ({@code xmin =},
 * {@code intervals: size =}), bracketed indices ({@code [1]}) and {@code !} comments, which carry no
 * values; the reader skips them, so one reader handles both forms.
 *
 * <p>Encoding: UTF-8 with or without BOM, UTF-16 LE/BE with BOM (Praat writes UTF-16 when a label
 * is not ASCII), UTF-16 without BOM recognised by its zero bytes; anything else is read as
 * ISO-8859-1 (what old Praat versions wrote) with a warning.
 *
 * <p>Validation policy. Errors reject the whole file (UserError "file: line N: ..."): syntax, a
 * declared count that the file does not deliver, an item outside its tier's [xmin, xmax], a tier
 * outside the file's [xmin, xmax], an interval ending before it starts, overlapping or unsorted
 * intervals, points not strictly increasing. Warnings keep the file and go to the caller's list:
 * gaps between intervals are filled with an empty (silent) interval, zero-length intervals are
 * left out, a repeated tier name keeps the first tier. Boundaries closer than
 * {@link #TIME_EPSILON} (1 µs, well under one 16 kHz sample of 62.5 µs) count as equal.
 * The audio duration is checked separately by {@link Alignment#mismatchWithAudio(double)}.
 */
public final class TextGrid {
    private TextGrid() {}

    public static final double TIME_EPSILON = 1e-6;

    /** Reads and validates a TextGrid; warnings are appended to {@code warnings}. */
    public static Alignment read(Path file, List<Problem> warnings) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw UserError.inFile(file, "no such file");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
        String source = file.toString();
        return parse(decode(bytes, source, warnings), source, warnings);
    }

    /** The text of a TextGrid file, following the byte-order mark (see the class comment). */
    public static String decode(byte[] bytes, String source, List<Problem> warnings) {
        int n = bytes.length;
        if (n >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            return strict(bytes, 3, StandardCharsets.UTF_8, source, "UTF-8");
        }
        if (n >= 2 && (bytes[0] & 0xff) == 0xFE && (bytes[1] & 0xff) == 0xFF) {
            return strict(bytes, 2, StandardCharsets.UTF_16BE, source, "UTF-16BE");
        }
        if (n >= 2 && (bytes[0] & 0xff) == 0xFF && (bytes[1] & 0xff) == 0xFE) {
            return strict(bytes, 2, StandardCharsets.UTF_16LE, source, "UTF-16LE");
        }
        // No BOM: "File type" starts with ASCII 'F', so UTF-16 shows a zero byte beside it.
        if (n >= 2 && n % 2 == 0 && bytes[0] == 0 && bytes[1] != 0) {
            return strict(bytes, 0, StandardCharsets.UTF_16BE, source, "UTF-16BE");
        }
        if (n >= 2 && n % 2 == 0 && bytes[0] != 0 && bytes[1] == 0) {
            return strict(bytes, 0, StandardCharsets.UTF_16LE, source, "UTF-16LE");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            warnings.add(new Problem(source, "not valid UTF-8 or UTF-16; read as ISO-8859-1 (Latin-1) — labels with other characters will be wrong"));
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private static String strict(byte[] bytes, int offset, Charset charset, String source, String name) {
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, bytes.length - offset)).toString();
        } catch (CharacterCodingException e) {
            throw UserError.inFile(source, "not valid " + name + " although its byte-order mark says so");
        }
    }

    // ---------------------------------------------------------------- tokens

    private enum Kind { STRING, NUMBER, FLAG }

    private record Token(Kind kind, String text, int line) {}

    private static List<Token> tokenize(String text, String source) {
        List<Token> tokens = new ArrayList<>();
        int line = 1;
        int i = 0, n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (Character.isWhitespace(c) || c == '\uFEFF') {
                i++;
            } else if (c == '!') { // comment to the end of the line
                while (i < n && text.charAt(i) != '\n') i++;
            } else if (c == '"') {
                int startLine = line;
                StringBuilder sb = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) throw UserError.inFile(source, "line " + startLine + ": string never closed (missing '\"')");
                    char d = text.charAt(i);
                    if (d == '"') {
                        if (i + 1 < n && text.charAt(i + 1) == '"') { // "" is a quote inside a string
                            sb.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (d == '\n') line++;
                    sb.append(d);
                    i++;
                }
                tokens.add(new Token(Kind.STRING, sb.toString(), startLine));
            } else if (c == '<') {
                int close = text.indexOf('>', i);
                if (close < 0) throw UserError.inFile(source, "line " + line + ": '<' without '>'");
                tokens.add(new Token(Kind.FLAG, text.substring(i + 1, close).trim(), line));
                i = close + 1;
            } else if (c == '[') { // an index like [1] or []: a label, no value
                int close = text.indexOf(']', i);
                if (close < 0) throw UserError.inFile(source, "line " + line + ": '[' without ']'");
                i = close + 1;
            } else if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
                int start = i;
                while (i < n && !Character.isWhitespace(text.charAt(i))) i++;
                tokens.add(new Token(Kind.NUMBER, text.substring(start, i), line));
            } else if (Character.isLetter(c)) { // a label such as "xmin =" or "tiers?"
                while (i < n) {
                    char d = text.charAt(i);
                    if (Character.isLetterOrDigit(d) || d == '_') i++;
                    else break;
                }
            } else if (c == '=' || c == ':' || c == '?') {
                i++;
            } else {
                throw UserError.inFile(source, "line " + line + ": unexpected character '" + c + "'");
            }
        }
        return tokens;
    }

    /** Walks the token list; every read names what it expected so errors say where and what. */
    private static final class Cursor {
        final List<Token> tokens;
        final String source;
        int pos;

        Cursor(List<Token> tokens, String source) {
            this.tokens = tokens;
            this.source = source;
        }

        Token next(String what) {
            if (pos >= tokens.size()) {
                int lastLine = tokens.isEmpty() ? 1 : tokens.getLast().line();
                throw UserError.inFile(source, "line " + lastLine + ": file ends where " + what + " should be");
            }
            return tokens.get(pos++);
        }

        String string(String what) {
            Token t = next(what);
            if (t.kind() != Kind.STRING) throw wrong(t, what, "a quoted string");
            return t.text();
        }

        double number(String what) {
            Token t = next(what);
            if (t.kind() != Kind.NUMBER) throw wrong(t, what, "a number");
            try {
                double v = Double.parseDouble(t.text());
                if (Double.isFinite(v)) return v;
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
            throw UserError.inFile(source, "line " + t.line() + ": " + what + " is not a number: " + t.text());
        }

        int count(String what) {
            Token t = tokens.size() > pos ? tokens.get(pos) : null;
            double v = number(what);
            if (v < 0 || v != Math.rint(v) || v > Integer.MAX_VALUE) {
                throw UserError.inFile(source, "line " + t.line() + ": " + what + " must be a whole number ≥ 0, found " + t.text());
            }
            return (int) v;
        }

        UserError wrong(Token t, String what, String expected) {
            String found = switch (t.kind()) {
                case STRING -> "the string \"" + t.text() + "\"";
                case NUMBER -> "the number " + t.text();
                case FLAG -> "<" + t.text() + ">";
            };
            return UserError.inFile(source, "line " + t.line() + ": expected " + expected + " (" + what + "), found " + found);
        }

        int line() {
            return pos < tokens.size() ? tokens.get(pos).line() : (tokens.isEmpty() ? 1 : tokens.getLast().line());
        }
    }

    // ---------------------------------------------------------------- parsing

    /** Parses TextGrid text; {@code source} names the file in messages. */
    public static Alignment parse(String text, String source, List<Problem> warnings) {
        if (text.isBlank()) throw UserError.inFile(source, "empty file, not a TextGrid");
        if (text.startsWith("ooBinaryFile")) {
            throw UserError.inFile(source, "binary TextGrid; save it from Praat as a text file (Save as text file...)");
        }
        Cursor in = new Cursor(tokenize(text, source), source);
        String fileType = in.string("the file type \"ooTextFile\"");
        if (!fileType.equals("ooTextFile") && !fileType.equals("ooTextFile short")) {
            throw UserError.inFile(source, "line 1: file type is \"" + fileType + "\", expected \"ooTextFile\" (a Praat text file)");
        }
        String objectClass = in.string("the object class \"TextGrid\"");
        if (!objectClass.equals("TextGrid")) {
            throw UserError.inFile(source, "object class is \"" + objectClass + "\", expected \"TextGrid\"");
        }
        double xmin = in.number("the TextGrid xmin");
        double xmax = in.number("the TextGrid xmax");
        if (xmax < xmin) throw UserError.inFile(source, "TextGrid xmax " + xmax + " is before xmin " + xmin);
        int tierCount = 0;
        if (in.pos < in.tokens.size() && in.tokens.get(in.pos).kind() == Kind.FLAG) {
            Token flag = in.next("tiers? <exists>");
            if (flag.text().equals("exists")) tierCount = in.count("the number of tiers");
            else if (!flag.text().equals("absent")) throw in.wrong(flag, "tiers?", "<exists> or <absent>");
        } else {
            throw in.wrong(in.next("tiers? <exists>"), "tiers?", "<exists> or <absent>");
        }

        Map<String, Tier> tiers = new LinkedHashMap<>();
        for (int ti = 1; ti <= tierCount; ti++) {
            int tierLine = in.line();
            String where = "tier " + ti + " of " + tierCount;
            String tierClass = in.string("the class of " + where);
            boolean points;
            if (tierClass.equals("IntervalTier")) points = false;
            else if (tierClass.equals("TextTier")) points = true;
            else throw UserError.inFile(source, "line " + tierLine + ": " + where + " has class \"" + tierClass + "\", expected \"IntervalTier\" or \"TextTier\"");
            String name = in.string("the name of " + where);
            where = "tier '" + name + "'";
            double txmin = in.number("xmin of " + where);
            double txmax = in.number("xmax of " + where);
            if (txmin < xmin - TIME_EPSILON || txmax > xmax + TIME_EPSILON || txmax < txmin) {
                throw UserError.inFile(source, "line " + tierLine + ": " + where + " spans " + num(txmin) + "–" + num(txmax)
                        + " s, outside the TextGrid's " + num(xmin) + "–" + num(xmax) + " s");
            }
            int size = in.count("the number of items in " + where);
            List<Interval> raw = new ArrayList<>();
            List<Integer> lines = new ArrayList<>();
            for (int k = 1; k <= size; k++) {
                String item = where + (points ? " point " : " interval ") + k + " of " + size;
                lines.add(in.line());
                if (points) {
                    double t = in.number("the time of " + item);
                    raw.add(new Interval(t, t, in.string("the mark of " + item)));
                } else {
                    double s = in.number("xmin of " + item);
                    double e = in.number("xmax of " + item);
                    raw.add(new Interval(s, e, in.string("the text of " + item)));
                }
            }
            Tier tier = points
                    ? checkedPointTier(source, name, txmin, txmax, raw, lines)
                    : checkedIntervalTier(source, name, txmin, txmax, raw, lines, true, warnings);
            if (tiers.containsKey(name)) {
                warnings.add(new Problem(source, "line " + tierLine + ": a second tier named '" + name + "'; kept the first"));
            } else {
                tiers.put(name, tier);
            }
        }
        if (in.pos < in.tokens.size()) {
            throw UserError.inFile(source, "line " + in.line() + ": unexpected values after the last of " + tierCount + " tiers");
        }
        return new Alignment(source, xmin, xmax, tiers);
    }

    /**
     * Turns raw intervals into a valid interval tier covering [xmin, xmax] (policy in the class
     * comment). {@code lines} gives each interval's line number for messages, or is null (then
     * messages give interval numbers only). Gaps are filled with "" and reported when
     * {@code reportGaps} (TextGrid tiers should have none; CTM files list only words, so there
     * gaps are normal silence and not reported).
     */
    static Tier checkedIntervalTier(String source, String name, double xmin, double xmax, List<Interval> raw,
                                    List<Integer> lines, boolean reportGaps, List<Problem> warnings) {
        List<Interval> out = new ArrayList<>();
        double covered = xmin; // end of the last kept interval
        double previousStart = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < raw.size(); k++) {
            Interval iv = raw.get(k);
            String at = "tier '" + name + "' interval " + (k + 1) + (lines == null ? "" : " (line " + lines.get(k) + ")");
            double s = iv.start(), e = iv.end();
            if (e < s - TIME_EPSILON) {
                throw UserError.inFile(source, at + ": ends at " + num(e) + " s before it starts at " + num(s) + " s");
            }
            if (s < xmin - TIME_EPSILON || e > xmax + TIME_EPSILON) {
                throw UserError.inFile(source, at + ": " + num(s) + "–" + num(e) + " s is outside the tier's "
                        + num(xmin) + "–" + num(xmax) + " s");
            }
            if (s < previousStart - TIME_EPSILON) {
                throw UserError.inFile(source, at + ": unsorted, starts at " + num(s) + " s, before the previous interval (" + num(previousStart) + " s)");
            }
            if (s < covered - TIME_EPSILON) {
                throw UserError.inFile(source, at + ": overlaps the previous interval (starts at " + num(s)
                        + " s, the previous one ends at " + num(covered) + " s)");
            }
            previousStart = s;
            if (e - s <= TIME_EPSILON) {
                warnings.add(new Problem(source, at + ": zero length at " + num(s) + " s (\"" + iv.text() + "\"), left out"));
                continue;
            }
            if (s > covered + TIME_EPSILON) {
                if (reportGaps) {
                    warnings.add(new Problem(source, at + ": gap " + num(covered) + "–" + num(s) + " s before it, filled as silence"));
                }
                out.add(new Interval(covered, s, ""));
            } else {
                s = covered; // snap sub-microsecond rounding differences
            }
            out.add(new Interval(s, Math.min(e, xmax), iv.text()));
            covered = Math.min(e, xmax);
        }
        if (covered < xmax - TIME_EPSILON) {
            if (reportGaps && !raw.isEmpty()) {
                warnings.add(new Problem(source, "tier '" + name + "': gap " + num(covered) + "–" + num(xmax) + " s at the end, filled as silence"));
            }
            out.add(new Interval(covered, xmax, ""));
        }
        return new Tier(name, false, xmin, xmax, out);
    }

    private static Tier checkedPointTier(String source, String name, double xmin, double xmax, List<Interval> raw, List<Integer> lines) {
        double previous = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < raw.size(); k++) {
            double t = raw.get(k).start();
            String at = "tier '" + name + "' point " + (k + 1) + " (line " + lines.get(k) + ")";
            if (t < xmin - TIME_EPSILON || t > xmax + TIME_EPSILON) {
                throw UserError.inFile(source, at + ": time " + num(t) + " s is outside the tier's " + num(xmin) + "–" + num(xmax) + " s");
            }
            if (t <= previous + TIME_EPSILON) {
                throw UserError.inFile(source, at + ": time " + num(t) + " s is not after the previous point (" + num(previous) + " s)");
            }
            previous = t;
        }
        return new Tier(name, true, xmin, xmax, raw);
    }

    // ---------------------------------------------------------------- writing

    /** Writes the alignment as a long-format UTF-8 TextGrid (what Praat's "Save as text file" writes), atomically. */
    public static void write(Path file, Alignment alignment) {
        AtomicFiles.writeString(file, format(alignment));
    }

    public static String format(Alignment a) {
        StringBuilder sb = new StringBuilder();
        sb.append("File type = \"ooTextFile\"\n");
        sb.append("Object class = \"TextGrid\"\n\n");
        sb.append("xmin = ").append(num(a.xmin())).append(" \n");
        sb.append("xmax = ").append(num(a.xmax())).append(" \n");
        sb.append("tiers? <exists> \n");
        sb.append("size = ").append(a.tiers().size()).append(" \n");
        sb.append("item []: \n");
        int ti = 0;
        for (Tier t : a.tiers().values()) {
            ti++;
            sb.append("    item [").append(ti).append("]:\n");
            sb.append("        class = \"").append(t.pointTier() ? "TextTier" : "IntervalTier").append("\" \n");
            sb.append("        name = ").append(quoted(t.name())).append(" \n");
            sb.append("        xmin = ").append(num(t.xmin())).append(" \n");
            sb.append("        xmax = ").append(num(t.xmax())).append(" \n");
            String items = t.pointTier() ? "points" : "intervals";
            sb.append("        ").append(items).append(": size = ").append(t.items().size()).append(" \n");
            int k = 0;
            for (Interval iv : t.items()) {
                k++;
                sb.append("        ").append(items).append(" [").append(k).append("]:\n");
                if (t.pointTier()) {
                    sb.append("            number = ").append(num(iv.start())).append(" \n");
                    sb.append("            mark = ").append(quoted(iv.text())).append(" \n");
                } else {
                    sb.append("            xmin = ").append(num(iv.start())).append(" \n");
                    sb.append("            xmax = ").append(num(iv.end())).append(" \n");
                    sb.append("            text = ").append(quoted(iv.text())).append(" \n");
                }
            }
        }
        return sb.toString();
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }

    /** Shortest decimal that reads back to the same double, never in exponent form (0.5, 2, 1.25). */
    static String num(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) return Long.toString((long) x);
        return new BigDecimal(Double.toString(x)).stripTrailingZeros().toPlainString();
    }
}
