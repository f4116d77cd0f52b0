package wavlens.report;

import java.awt.Color;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Colour-blind-safe colours for the figures.
 *
 * <ul>
 * <li>≤ 8 categories (models, metrics, vowel/consonant, gender): the Okabe–Ito palette
 *     (Okabe &amp; Ito 2008, "Color Universal Design"), distinguishable under all common colour-vision
 *     deficiencies.</li>
 * <li>Many categories (≈ 30 letters, 50 clusters): a Glasbey-style list (Glasbey et al. 2007, "Colour
 *     displays for categorical images"): start from the Okabe–Ito colours and greedily add the sRGB
 *     colour whose smallest CIELAB distance to the colours already chosen is largest. The distance is
 *     the minimum over normal vision and simulated deuteranopia and protanopia (Machado et al. 2009,
 *     severity 1), so the added colours stay apart for red–green colour-blind readers too. Colours
 *     with lightness L* outside [35, 78] are never picked: too dark ones look like the black
 *     highlight outline, too light ones vanish on white. Thirty colours cannot all be far apart, so
 *     categories also get a marker shape per block of eight ({@link #marker}).</li>
 * <li>Heat maps: viridis (van der Walt &amp; Smith, matplotlib), perceptually uniform with monotone
 *     lightness; the 256-entry table is in the resource {@code viridis.txt}.</li>
 * </ul>
 */
public final class Palettes {
    private Palettes() {}

    /** Okabe–Ito in the order used for series and small category sets (black last: it is the outline colour). */
    public static final Color[] OKABE_ITO = {
            new Color(0x0072B2), // blue
            new Color(0xE69F00), // orange
            new Color(0x009E73), // bluish green
            new Color(0xD55E00), // vermillion
            new Color(0xCC79A7), // reddish purple
            new Color(0x56B4E9), // sky blue
            new Color(0xF0E442), // yellow
            new Color(0x000000), // black
    };

    /** Marker shapes, see {@link #marker}. */
    public enum Marker { CIRCLE, SQUARE, TRIANGLE_UP, DIAMOND, TRIANGLE_DOWN }

    // Machado, Oliveira & Fernandes 2009, "A physiologically-based model for simulation of color vision
    // deficiency", severity 1.0; applied to linear RGB.
    private static final double[][] DEUTERANOPIA = {
            {0.367322, 0.860646, -0.227968},
            {0.280085, 0.672501, 0.047413},
            {-0.011820, 0.042940, 0.968881}};
    private static final double[][] PROTANOPIA = {
            {0.152286, 1.052583, -0.204868},
            {0.114503, 0.786281, 0.099216},
            {-0.003882, -0.048116, 1.051998}};

    // (declared before DISTINCT: static fields initialise in textual order)
    private static final int MAX_DISTINCT = 64;
    private static final Color[] DISTINCT = greedyDistinct(MAX_DISTINCT);
    private static final float[][] VIRIDIS = readViridis();

    /**
     * n colours for n categories: Okabe–Ito when n ≤ 8, otherwise the first n of the Glasbey-style
     * list (which begins with the seven non-black Okabe–Ito colours). Beyond 64 the list repeats;
     * the marker shape still tells the blocks apart.
     */
    public static Color[] categorical(int n) {
        Color[] out = new Color[n];
        for (int i = 0; i < n; i++) out[i] = n <= OKABE_ITO.length ? OKABE_ITO[i] : DISTINCT[i % MAX_DISTINCT];
        return out;
    }

    /** Marker for category i of n: circles up to 8 categories; beyond that one shape per block of eight. */
    public static Marker marker(int i, int n) {
        if (n <= OKABE_ITO.length) return Marker.CIRCLE;
        return Marker.values()[(i / 8) % Marker.values().length];
    }

    /** viridis at t ∈ [0, 1] (clamped), linear interpolation between the 256 table entries; NaN → light grey. */
    public static Color viridis(double t) {
        if (Double.isNaN(t)) return new Color(0xDDDDDD);
        double pos = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
        int i = Math.min((int) pos, VIRIDIS.length - 2);
        double f = pos - i;
        float[] a = VIRIDIS[i], b = VIRIDIS[i + 1];
        return new Color((float) (a[0] + f * (b[0] - a[0])), (float) (a[1] + f * (b[1] - a[1])), (float) (a[2] + f * (b[2] - a[2])));
    }

    /** Number of entries of the viridis table (256). */
    static int viridisSize() {
        return VIRIDIS.length;
    }

    /** CSS hex "#rrggbb" (the explorer page uses the same colours as the figures). */
    public static String hex(Color c) {
        return String.format("#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }

    /** Relative luminance (WCAG 2): picks black or white text on a coloured cell. */
    public static double luminance(Color c) {
        return 0.2126 * linear(c.getRed()) + 0.7152 * linear(c.getGreen()) + 0.0722 * linear(c.getBlue());
    }

    // ---- Glasbey-style greedy maximin -------------------------------------------------------------

    private static Color[] greedyDistinct(int count) {
        List<Color> chosen = new ArrayList<>();
        for (int i = 0; i < 7; i++) chosen.add(OKABE_ITO[i]);
        // candidates: an sRGB grid with 16 levels per channel (4096 colours)
        int levels = 16;
        List<Color> candidates = new ArrayList<>();
        List<double[][]> candidateViews = new ArrayList<>();
        for (int r = 0; r < levels; r++)
            for (int g = 0; g < levels; g++)
                for (int b = 0; b < levels; b++) {
                    Color c = new Color(r * 17, g * 17, b * 17);
                    double lightness = lab(linearRgb(c))[0];
                    if (lightness < 35 || lightness > 78) continue;
                    candidates.add(c);
                    candidateViews.add(views(c));
                }
        double[] nearest = new double[candidates.size()];
        java.util.Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        for (Color c : chosen) updateNearest(nearest, candidateViews, views(c));
        while (chosen.size() < count) {
            int best = 0;
            for (int k = 1; k < nearest.length; k++) if (nearest[k] > nearest[best]) best = k; // first maximum wins ties
            chosen.add(candidates.get(best));
            updateNearest(nearest, candidateViews, candidateViews.get(best));
        }
        return chosen.toArray(new Color[0]);
    }

    private static void updateNearest(double[] nearest, List<double[][]> candidateViews, double[][] added) {
        for (int k = 0; k < nearest.length; k++) {
            double[][] v = candidateViews.get(k);
            double d = Double.POSITIVE_INFINITY;
            for (int view = 0; view < 3; view++) d = Math.min(d, distance(v[view], added[view]));
            nearest[k] = Math.min(nearest[k], d);
        }
    }

    /** CIELAB of the colour as seen with normal vision, deuteranopia and protanopia. */
    private static double[][] views(Color c) {
        double[] rgb = linearRgb(c);
        return new double[][] {lab(rgb), lab(clamp(multiply(DEUTERANOPIA, rgb))), lab(clamp(multiply(PROTANOPIA, rgb)))};
    }

    private static double[] multiply(double[][] m, double[] v) {
        double[] out = new double[3];
        for (int i = 0; i < 3; i++) out[i] = m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2];
        return out;
    }

    private static double[] clamp(double[] v) {
        for (int i = 0; i < 3; i++) v[i] = Math.max(0, Math.min(1, v[i]));
        return v;
    }

    private static double distance(double[] a, double[] b) {
        double d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
        return Math.sqrt(d0 * d0 + d1 * d1 + d2 * d2);
    }

    private static double linear(int channel) {
        double c = channel / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); // sRGB transfer function
    }

    private static double[] linearRgb(Color c) {
        return new double[] {linear(c.getRed()), linear(c.getGreen()), linear(c.getBlue())};
    }

    /** CIE 1976 L*a*b* of linear sRGB, D65 white. */
    static double[] lab(double[] rgb) {
        double x = 0.4124 * rgb[0] + 0.3576 * rgb[1] + 0.1805 * rgb[2];
        double y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
        double z = 0.0193 * rgb[0] + 0.1192 * rgb[1] + 0.9505 * rgb[2];
        double fx = labF(x / 0.95047), fy = labF(y), fz = labF(z / 1.08883);
        return new double[] {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
    }

    private static double labF(double t) {
        double delta = 6.0 / 29.0;
        return t > delta * delta * delta ? Math.cbrt(t) : t / (3 * delta * delta) + 4.0 / 29.0;
    }

    /** CIELAB distance under normal vision (tests use it to check the palette spreads out). */
    static double labDistance(Color a, Color b) {
        return distance(lab(linearRgb(a)), lab(linearRgb(b)));
    }

    /** CIELAB distance under simulated deuteranopia. */
    static double deutanDistance(Color a, Color b) {
        return distance(views(a)[1], views(b)[1]);
    }

    private static float[][] readViridis() {
        List<float[]> rows = new ArrayList<>();
        try (InputStream in = Palettes.class.getResourceAsStream("viridis.txt")) {
            if (in == null) throw new IllegalStateException("resource wavlens/report/viridis.txt missing from the build");
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                String[] f = line.split("\\s+");
                rows.add(new float[] {Float.parseFloat(f[0]), Float.parseFloat(f[1]), Float.parseFloat(f[2])});
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows.toArray(new float[0][]);
    }
}
