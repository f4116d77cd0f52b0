package wavlens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * Renders every figure type from synthetic data into target/report-figures/ (kept for looking at)
 * and checks the files: PNG size at 300 dpi, SVG well-formed, the expected colours present.
 */
class FiguresTest {
    static final Path OUT = Path.of("target", "report-figures");
    static final List<String> LETTERS = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
            "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "å", "ä", "ö", "-");
    static final List<String> LAYERS = List.of("CNN", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");

    /** Letters as Gaussian blobs whose spread shrinks with depth (and more so in the fine-tuned model). */
    static MapGrid.Panel[][] syntheticMaps(int pointsPerPanel, long seed) {
        Random random = new Random(seed);
        int n = pointsPerPanel, letters = LETTERS.size();
        int[] letter = new int[n];
        for (int i = 0; i < n; i++) letter[i] = random.nextInt(letters);
        MapGrid.Panel[][] panels = new MapGrid.Panel[2][LAYERS.size()];
        for (int m = 0; m < 2; m++) {
            for (int l = 0; l < LAYERS.size(); l++) {
                double spread = m == 0 ? 2.5 - 0.12 * l : 2.5 - 0.18 * l;
                float[] x = new float[n], y = new float[n];
                boolean[] mistake = new boolean[n];
                for (int i = 0; i < n; i++) {
                    double angle = 2 * Math.PI * letter[i] / letters;
                    x[i] = (float) (3 * Math.cos(angle) + spread * random.nextGaussian());
                    y[i] = (float) (3 * Math.sin(angle) + spread * random.nextGaussian());
                    mistake[i] = random.nextDouble() < 0.01;
                }
                panels[m][l] = new MapGrid.Panel(x, y, letter.clone(), mistake);
            }
        }
        return panels;
    }

    @Test
    void mapGridWritesPngAndSvgAtPrintResolution() throws Exception {
        MapGrid.Spec spec = MapGrid.Spec.of(List.of("pretrained", "fine-tuned"), LAYERS, syntheticMaps(3000, 1), LETTERS, "letter")
                .withHighlight("misrecognised");
        Path png = MapGrid.write(OUT, "map-grid", spec);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals((int) Math.ceil(FigureFile.PAGE_WIDTH * 300 / 72), image.getWidth());
        assertEquals((int) Math.ceil(MapGrid.height(spec) * 300 / 72), image.getHeight());
        // 78k points > VECTOR_POINT_LIMIT: the SVG holds the point layers as 26 embedded images
        String svg = Files.readString(OUT.resolve("map-grid.svg"));
        assertWellFormed(svg);
        assertEquals(26, count(svg, "<image"));
        assertTrue(Files.size(OUT.resolve("map-grid.svg")) < 8_000_000, "SVG stays small");
        // the first Okabe–Ito colour (letter "a") is drawn somewhere at full strength in the legend
        assertTrue(contains(image, Palettes.categorical(LETTERS.size())[0]));
    }

    @Test
    void smallMapGridKeepsPointsAsVectors() throws Exception {
        MapGrid.Panel[][] panels = syntheticMaps(200, 2);
        List<String> layers = LAYERS.subList(0, 4);
        MapGrid.Panel[][] four = {java.util.Arrays.copyOf(panels[0], 4), java.util.Arrays.copyOf(panels[1], 4)};
        // vowel / consonant classes: two categories → Okabe–Ito
        for (MapGrid.Panel[] row : four) {
            for (int l = 0; l < 4; l++) {
                int[] cls = new int[row[l].size()];
                for (int i = 0; i < cls.length; i++) cls[i] = "aeiouyäö".contains(LETTERS.get(row[l].category()[i])) ? 0 : 1;
                row[l] = new MapGrid.Panel(row[l].x(), row[l].y(), cls, null);
            }
        }
        MapGrid.Spec spec = MapGrid.Spec.of(List.of("pretrained", "fine-tuned"), layers, four, List.of("vowel", "consonant"), null)
                .withWidth(FigureFile.COLUMN_WIDTH);
        assertEquals(MapGrid.Layout.MODEL_ROWS, spec.layout());
        MapGrid.write(OUT, "map-grid-small", spec);
        String svg = Files.readString(OUT.resolve("map-grid-small.svg"));
        assertWellFormed(svg);
        assertEquals(0, count(svg, "<image"));
        assertTrue(count(svg, "<ellipse") + count(svg, "<circle") >= 8 * 200, "every point is an SVG shape");
    }

    @Test
    void drawOrderIsAFixedPermutation() {
        int[] a = MapGrid.drawOrder(1000), b = MapGrid.drawOrder(1000);
        assertTrue(java.util.Arrays.equals(a, b));
        boolean[] seen = new boolean[1000];
        for (int i : a) seen[i] = true;
        for (boolean s : seen) assertTrue(s);
        assertFalse(java.util.Arrays.equals(a, java.util.stream.IntStream.range(0, 1000).toArray()), "shuffled");
    }

    @Test
    void squareWindowCentresOnTheDataWithEqualScales() {
        MapGrid.Panel p = new MapGrid.Panel(new float[] {0, 10, 5}, new float[] {0, 2, Float.NaN}, new int[] {0, 0, 0}, null);
        double[] w = MapGrid.squareWindow(p);
        assertEquals(5, w[0], 1e-12);
        assertEquals(1, w[1], 1e-12);
        assertEquals(10.4, w[2], 1e-9); // larger extent 10, 4% wider
    }

    @Test
    void heatMapCellsTakeViridisColours() throws Exception {
        // 2 × 2 with values 0 and 1 at the colour range ends: those cells are viridis(0) and viridis(1) exactly
        double[][] v = {{0, 1}, {1, 0}};
        HeatMap.Spec spec = HeatMap.Spec.of(v, List.of("r0", "r1"), List.of("c0", "c1"), "row", "column", "value")
                .withRange(0, 1).withWidth(FigureFile.COLUMN_WIDTH);
        byte[] png = FigureFile.png(spec.widthPt(), HeatMap.height(spec), g -> HeatMap.paint(g, spec));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertTrue(contains(image, Palettes.viridis(0)));
        assertTrue(contains(image, Palettes.viridis(1)));
    }

    @Test
    void heatMapsOfClustersCkaAndConfusion() throws Exception {
        Random random = new Random(3);
        int letters = LETTERS.size(), clusters = 50;
        // P(letter | cluster): each cluster mostly one letter, shuffled column order
        double[][] p = new double[letters][clusters];
        for (int c = 0; c < clusters; c++) {
            int major = (c * 7) % letters;
            double purity = 0.4 + 0.6 * random.nextDouble();
            double rest = (1 - purity) / (letters - 1);
            for (int l = 0; l < letters; l++) p[l][c] = l == major ? purity : rest;
        }
        List<String> clusterNames = new ArrayList<>();
        for (int c = 0; c < clusters; c++) clusterNames.add(Integer.toString(c));
        int[] rows = java.util.stream.IntStream.range(0, letters).toArray();
        HeatMap.Spec clusterSpec = HeatMap.Spec.of(p, LETTERS, clusterNames, "letter", "k-means cluster (ordered by majority letter)", "P(letter | cluster)")
                .withRange(0, 1).permuted(rows, Seriation.byMajority(p));
        HeatMap.write(OUT, "heat-clusters", clusterSpec);

        int layers = LAYERS.size();
        double[][] cka = new double[layers][layers];
        for (int i = 0; i < layers; i++) for (int j = 0; j < layers; j++) cka[i][j] = Math.exp(-Math.abs(i - j) / 4.0);
        HeatMap.write(OUT, "heat-cka", HeatMap.Spec.of(cka, LAYERS, LAYERS, "pretrained layer", "fine-tuned layer", "linear CKA")
                .withRange(0, 1).withAnnotations("%.2f").withWidth(FigureFile.COLUMN_WIDTH * 1.4));
        assertWellFormed(Files.readString(OUT.resolve("heat-cka.svg")));
        BufferedImage image = ImageIO.read(OUT.resolve("heat-cka.png").toFile());
        assertTrue(contains(image, Palettes.viridis(1)), "diagonal at the top of the range");
    }

    @Test
    void lineChartOfLayerCurves() throws Exception {
        int n = LAYERS.size();
        double[] nmiPre = new double[n], nmiFine = new double[n], cka = new double[n], lo = new double[n], hi = new double[n];
        for (int l = 0; l < n; l++) {
            nmiPre[l] = 0.2 + 0.2 * Math.sin(Math.PI * l / (n - 1));
            nmiFine[l] = nmiPre[l] + (l > 6 ? 0.04 * (l - 6) : 0);
            cka[l] = l < 7 ? 0.95 : 0.95 - 0.1 * (l - 6);
            lo[l] = nmiFine[l] - 0.02;
            hi[l] = nmiFine[l] + 0.02;
        }
        nmiPre[0] = Double.NaN; // a gap
        LineChart.Spec spec = LineChart.Spec.of(LAYERS, List.of(
                LineChart.Series.of("NMI pretrained", nmiPre, 0, true),
                LineChart.Series.of("NMI fine-tuned", nmiFine, 0, false).withBand(lo, hi),
                LineChart.Series.of("CKA", cka, 1, false).withErrorBars(shift(cka, -0.03), shift(cka, 0.03))), "layer", "score");
        Path png = LineChart.write(OUT, "line-layers", spec);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals((int) Math.ceil(252 * 300 / 72.0), image.getWidth());
        assertTrue(contains(image, Palettes.OKABE_ITO[1]), "CKA line in orange");
        assertWellFormed(Files.readString(OUT.resolve("line-layers.svg")));
    }

    @Test
    void scatterFitWithLetterLabels() throws Exception {
        Random random = new Random(4);
        int n = LETTERS.size();
        double[] freq = new double[n], acc = new double[n];
        for (int i = 0; i < n; i++) {
            freq[i] = Math.pow(10, 1 + 3 * random.nextDouble());
            acc[i] = Math.min(1, 0.3 + 0.15 * Math.log10(freq[i]) + 0.05 * random.nextGaussian());
        }
        ScatterFit.Spec spec = ScatterFit.Spec.of(LETTERS, freq, acc, "training frames per letter", "letter accuracy", true);
        ScatterFit.write(OUT, "scatter-frequency", spec);
        String svg = Files.readString(OUT.resolve("scatter-frequency.svg"));
        assertWellFormed(svg);
        for (String letter : List.of(">a<", ">ö<", ">q<")) assertTrue(svg.contains(letter), "label " + letter + " is SVG text");
        assertEquals(0.15, spec.fit().slope(), 0.05, "fit on log10 x");
    }

    static double[] shift(double[] a, double by) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] + by;
        return out;
    }

    static void assertWellFormed(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // no network
        Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
    }

    static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
        return n;
    }

    static boolean contains(BufferedImage image, Color c) {
        int want = c.getRGB() & 0xFFFFFF;
        for (int y = 0; y < image.getHeight(); y++) for (int x = 0; x < image.getWidth(); x++) if ((image.getRGB(x, y) & 0xFFFFFF) == want) return true;
        return false;
    }
}
