package wavlens.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** RFC 4180 CSV (comma, double quotes where needed, UTF-8), as pandas.read_csv reads it. */
public final class Csv {
    private Csv() {}

    public static String field(Object value) {
        if (value == null) return "";
        String s = value instanceof Double d ? formatDouble(d) : value instanceof Float f ? formatDouble(f) : value.toString();
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    private static String formatDouble(double d) {
        if (Double.isNaN(d)) return "";
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return Double.toString(d);
    }

    public static String line(List<?> fields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(field(fields.get(i)));
        }
        return sb.append('\n').toString();
    }

    /** Writes header + rows atomically. */
    public static void write(Path file, List<String> header, List<? extends List<?>> rows) {
        StringBuilder sb = new StringBuilder(line(header));
        for (List<?> r : rows) sb.append(line(r));
        AtomicFiles.writeString(file, sb.toString());
    }

    /** Reads a CSV with a header row: returns the header followed by the data rows. */
    public static List<List<String>> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw UserError.inFile(file, "no such file");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false, any = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        f.append('"');
                        i++;
                    } else quoted = false;
                } else f.append(c);
            } else if (c == '"') {
                quoted = true;
                any = true;
            } else if (c == ',') {
                row.add(f.toString());
                f.setLength(0);
                any = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                if (any || f.length() > 0) {
                    row.add(f.toString());
                    rows.add(row);
                }
                row = new ArrayList<>();
                f.setLength(0);
                any = false;
            } else {
                f.append(c);
                any = true;
            }
        }
        if (quoted) throw UserError.inFile(file, "unterminated quoted field");
        if (any || f.length() > 0) {
            row.add(f.toString());
            rows.add(row);
        }
        if (rows.isEmpty()) throw UserError.inFile(file, "empty CSV (no header row)");
        return rows;
    }
}
