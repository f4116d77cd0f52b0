package wavlens.report;

import java.util.List;

/**
 * Everything the interactive explorer shows: the same frames in every map, their utterance and
 * time span (to play them), categorical colourings shared by all maps (letter, vowel/consonant,
 * speaker, gender, ...), and per map (model × layer) the 2-D coordinates and k-means clusters.
 *
 * <p>{@link ExplorerWriter} writes it as explorer-data.js, which defines one global:
 * <pre>
 * window.WAVLENS_DATA = {
 *   "format": "wavlens-explorer/1",
 *   "title": "...",
 *   "models": ["pretrained", "fine-tuned"],            // M names
 *   "layers": ["CNN", "1", ..., "12"],                  // L names
 *   "utterances": [{"id": "spk1_0001", "audio": "audio/spk1_0001.wav"}, ...],
 *                                                       // audio: path relative to explorer.html, or null
 *   "points": {"utterance": [int], "start": [s], "end": [s]},
 *                                                       // N frames: index into utterances, [start, end) in seconds
 *   "colorings": [{"name": "letter", "names": ["a", ...], "colors": ["#0072b2", ...], "values": [int]}],
 *                                                       // values[i] indexes names/colors, −1 = none; the first
 *                                                       // colouring labels frames in tooltips and lists
 *   "clusterNames": ["0", ...], "clusterColors": ["#..", ...],
 *   "maps": [[{"x": [N], "y": [N], "cluster": [N] or null}, ... L] ... M],
 *   "mistakes": [[0/1 × N] × M] or null                // frames each model got wrong, outlined
 * }
 * </pre>
 * Coordinates are written with 5 significant digits (far below a screen pixel); colours come
 * from {@link Palettes}, the same as the figures.
 *
 * @param utterance utterance index of each frame
 * @param start     frame start in seconds within its utterance's audio
 * @param end       frame end in seconds (exclusive)
 * @param x         x[model][layer][frame]
 * @param y         y[model][layer][frame]
 * @param cluster   cluster[model][layer][frame] (k-means index ≥ 0), or null
 * @param mistake   mistake[model][frame], or null
 */
public record ExplorerData(String title, List<String> models, List<String> layers, List<Utterance> utterances,
                           int[] utterance, float[] start, float[] end, List<Coloring> colorings,
                           float[][][] x, float[][][] y, int[][][] cluster, boolean[][] mistake) {

    /** @param audio path of the utterance's audio relative to the explorer page, or null */
    public record Utterance(String id, String audio) {}

    /** A categorical colouring of the frames: values[i] indexes names (−1 = unlabelled). */
    public record Coloring(String name, List<String> names, int[] values) {}

    public ExplorerData {
        int n = utterance.length;
        if (start.length != n || end.length != n) throw new IllegalArgumentException("utterance, start and end differ in length");
        for (int u : utterance) if (u < 0 || u >= utterances.size()) throw new IllegalArgumentException("utterance index " + u + " out of range");
        for (Coloring c : colorings) {
            if (c.values().length != n) throw new IllegalArgumentException("colouring " + c.name() + " has " + c.values().length + " values for " + n + " frames");
            for (int v : c.values()) if (v >= c.names().size()) throw new IllegalArgumentException("colouring " + c.name() + ": value " + v + " has no name");
        }
        if (x.length != models.size() || y.length != models.size()) throw new IllegalArgumentException("x/y need one entry per model");
        for (int m = 0; m < models.size(); m++) {
            if (x[m].length != layers.size() || y[m].length != layers.size()) throw new IllegalArgumentException("x/y need one map per layer");
            for (int l = 0; l < layers.size(); l++) {
                if (x[m][l].length != n || y[m][l].length != n) throw new IllegalArgumentException("map " + m + "/" + l + " does not have " + n + " points");
                if (cluster != null && cluster[m][l].length != n) throw new IllegalArgumentException("clusters " + m + "/" + l + " do not have " + n + " points");
            }
            if (mistake != null && mistake[m].length != n) throw new IllegalArgumentException("mistakes of model " + m + " do not have " + n + " points");
        }
    }

    public int size() {
        return utterance.length;
    }
}
