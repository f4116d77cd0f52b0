package wavlens.corpus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;

/**
 * The CSV that audiofolder's metadata.csv is (RFC 4180, as pandas and the csv module write it):
 * comma-separated, fields in double quotes may hold commas, newlines and "" for a quote; the
 * first record is the header.
 */
final class Csv {
    private Csv() {}

    /** Adds each record after the header as column → value, with the line it starts on. */
    static void read(Path file, List<Problem> problems, List<Map<String, String>> rows, List<Integer> lines) {
        String text = Corpus.readUtf8(file, problems);
        if (text == null) return;
        List<String> header = null;
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false, fieldStarted = false;
        int line = 1, recordLine = 1;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '\n';
            boolean end = i == text.length();
            if (quoted) {
                if (end) {
                    problems.add(new Problem(file.toString(), "line " + recordLine + ": quoted field not closed before the end of the file"));
                    return;
                }
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') line++;
                    field.append(c);
                }
                continue;
            }
            if (c == '"' && !fieldStarted) {
                quoted = true;
                fieldStarted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
                fieldStarted = false;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                record.add(field.toString());
                field.setLength(0);
                fieldStarted = false;
                boolean blank = record.size() == 1 && record.getFirst().isEmpty();
                if (!blank) {
                    if (header == null) {
                        header = List.copyOf(record);
                    } else {
                        if (record.size() != header.size()) {
                            problems.add(new Problem(file.toString(), "line " + recordLine + ": " + record.size() + " fields, the header has " + header.size()));
                        } else {
                            Map<String, String> row = new LinkedHashMap<>();
                            for (int k = 0; k < header.size(); k++) row.put(header.get(k).strip(), record.get(k));
                            rows.add(row);
                            lines.add(recordLine);
                        }
                    }
                }
                record.clear();
                line++;
                recordLine = line;
                if (end) break;
            } else {
                field.append(c);
                fieldStarted = true;
            }
        }
    }
}
