package wavlens.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.awt.Color;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import wavlens.io.AtomicFiles;
import wavlens.io.Json;

/**
 * Writes the interactive explorer into a report folder: explorer.html (vanilla JS and a canvas,
 * no network, from the resource of the same name) and explorer-data.js with the data in the
 * format of {@link ExplorerData}. The page opens from disk; serve the folder with
 * {@code wavlens serve} when a browser blocks audio from file://.
 */
public final class ExplorerWriter {
    private ExplorerWriter() {}

    public static final String PAGE = "explorer.html", DATA = "explorer-data.js";

    /** Writes dir/explorer.html and dir/explorer-data.js; returns the page's path. */
    public static Path write(Path dir, ExplorerData data) {
        Path page = dir.resolve(PAGE);
        AtomicFiles.writeBytes(page, resource(PAGE));
        AtomicFiles.writeString(dir.resolve(DATA), dataScript(data));
        return page;
    }

    static String dataScript(ExplorerData d) {
        int n = d.size();
        StringBuilder s = new StringBuilder(64 + n * (24 + d.models().size() * d.layers().size() * 16));
        s.append("// wavlens explorer data, format wavlens-explorer/1 (see wavlens.report.ExplorerData)\n");
        s.append("window.WAVLENS_DATA = {\n\"format\": \"wavlens-explorer/1\",\n");
        s.append("\"title\": ").append(string(d.title())).append(",\n");
        s.append("\"models\": ").append(strings(d.models())).append(",\n");
        s.append("\"layers\": ").append(strings(d.layers())).append(",\n");
        s.append("\"utterances\": [");
        for (int u = 0; u < d.utterances().size(); u++) {
            ExplorerData.Utterance utt = d.utterances().get(u);
            if (u > 0) s.append(',');
            s.append("\n{\"id\": ").append(string(utt.id())).append(", \"audio\": ").append(string(utt.audio())).append('}');
        }
        s.append("],\n\"points\": {\"utterance\": ");
        ints(s, d.utterance());
        s.append(",\n\"start\": ");
        floats(s, d.start(), 4);
        s.append(",\n\"end\": ");
        floats(s, d.end(), 4);
        s.append("},\n\"colorings\": [");
        for (int c = 0; c < d.colorings().size(); c++) {
            ExplorerData.Coloring col = d.colorings().get(c);
            if (c > 0) s.append(',');
            s.append("\n{\"name\": ").append(string(col.name())).append(", \"names\": ").append(strings(col.names()))
                    .append(", \"colors\": ").append(colors(col.names().size())).append(", \"values\": ");
            ints(s, col.values());
            s.append('}');
        }
        s.append("],\n");
        int clusters = 0;
        if (d.cluster() != null) {
            for (int[][] model : d.cluster()) for (int[] layer : model) for (int c : layer) clusters = Math.max(clusters, c + 1);
        }
        s.append("\"clusterNames\": [");
        for (int c = 0; c < clusters; c++) s.append(c > 0 ? "," : "").append('"').append(c).append('"');
        s.append("],\n\"clusterColors\": ").append(colors(clusters)).append(",\n\"maps\": [");
        for (int m = 0; m < d.models().size(); m++) {
            s.append(m > 0 ? ",\n[" : "\n[");
            for (int l = 0; l < d.layers().size(); l++) {
                s.append(l > 0 ? ",\n{\"x\": " : "\n{\"x\": ");
                floats(s, d.x()[m][l], 5);
                s.append(", \"y\": ");
                floats(s, d.y()[m][l], 5);
                s.append(", \"cluster\": ");
                if (d.cluster() == null) s.append("null");
                else ints(s, d.cluster()[m][l]);
                s.append('}');
            }
            s.append(']');
        }
        s.append("],\n\"mistakes\": ");
        if (d.mistake() == null) {
            s.append("null");
        } else {
            s.append('[');
            for (int m = 0; m < d.mistake().length; m++) {
                if (m > 0) s.append(",\n");
                s.append('[');
                for (int i = 0; i < n; i++) s.append(i > 0 ? "," : "").append(d.mistake()[m][i] ? '1' : '0');
                s.append(']');
            }
            s.append(']');
        }
        s.append("\n};\n");
        return s.toString();
    }

    private static String colors(int count) {
        Color[] palette = Palettes.categorical(count);
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < count; i++) s.append(i > 0 ? "," : "").append('"').append(Palettes.hex(palette[i])).append('"');
        return s.append(']').toString();
    }

    private static void ints(StringBuilder s, int[] values) {
        s.append('[');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) s.append(',');
            s.append(values[i]);
        }
        s.append(']');
    }

    /** Floats with the given significant digits; non-finite values become null (JSON has no NaN). */
    private static void floats(StringBuilder s, float[] values, int digits) {
        s.append('[');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) s.append(',');
            float v = values[i];
            if (!Float.isFinite(v)) {
                s.append("null");
            } else if (v == 0) {
                s.append('0');
            } else {
                java.math.BigDecimal b = new java.math.BigDecimal(v).round(new java.math.MathContext(digits));
                s.append(b.stripTrailingZeros().toPlainString());
            }
        }
        s.append(']');
    }

    private static String string(String value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String strings(List<String> values) {
        try {
            return Json.MAPPER.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = ExplorerWriter.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource wavlens/report/" + name + " missing from the build");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
