package wavlens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.UserError;

class ReportTest {
    static final List<String> LAYERS = List.of("CNN", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");

    @Test
    void layerComparisonNamesPeaksAndLargestChange() {
        //                 CNN    1     2     3     4     5     6     7     8     9     10    11    12
        double[] pre =  {0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.38, 0.41, 0.39, 0.36, 0.33, 0.30, 0.28};
        double[] fine = {0.10, 0.16, 0.20, 0.26, 0.31, 0.40, 0.44, 0.48, 0.50, 0.51, 0.52, 0.52, 0.45};
        String text = Readings.layerComparison("NMI", LAYERS, pre, fine);
        assertEquals("NMI peaks in layer 7 of the pretrained model (0.41) and in layer 10 of the fine-tuned model (0.52)."
                + " Fine-tuning raised NMI most in layer 11 (+0.22); up to layer 4 the two models differ by less than 0.02.", text);
        // lowering a layer is reported too, and other numbers give other words
        double[] lower = pre.clone();
        lower[12] = 0.20;
        lower[3] = 0.31;
        String other = Readings.layerComparison("Purity", LAYERS, pre, lower);
        assertEquals("Purity peaks in layer 7 in both models (pretrained 0.41, fine-tuned 0.41). Fine-tuning raised Purity most in"
                + " layer 3 (+0.06) and lowered it most in layer 12 (−0.08); up to layer 2 the two models differ by less than 0.02.", other);
        assertEquals("NMI peaks in layer 7 in both models (pretrained 0.41, fine-tuned 0.41). The two models differ by less than 0.02 in every layer.",
                Readings.layerComparison("NMI", LAYERS, pre, pre.clone()));
    }

    @Test
    void ckaReadingFollowsTheCurve() {
        double[] cka = {0.99, 0.98, 0.97, 0.96, 0.95, 0.93, 0.91, 0.85, 0.75, 0.62, 0.50, 0.41, 0.35};
        assertEquals("CKA between the pretrained and fine-tuned model stays above 0.90 up to layer 6 and falls to 0.35 in layer 12.",
                Readings.ckaAcrossLayers(LAYERS, cka, 0.9));
        double[] dip = cka.clone();
        dip[12] = 0.60;
        assertEquals("CKA between the pretrained and fine-tuned model stays above 0.90 up to layer 6; it is lowest, 0.41, in layer 11, and ends at 0.60 in layer 12.",
                Readings.ckaAcrossLayers(LAYERS, dip, 0.9));
        assertEquals("CKA between the pretrained and fine-tuned model stays above 0.30 in every layer (lowest 0.35, layer 12).",
                Readings.ckaAcrossLayers(LAYERS, cka, 0.3));
        assertEquals("CKA between the pretrained and fine-tuned model is below 0.995 already in the CNN output and falls to 0.35 in layer 12."
                .replace("0.995", Readings.num(0.995)), Readings.ckaAcrossLayers(LAYERS, cka, 0.995));
    }

    @Test
    void relationReportsSlopePerDecadeAndOutliers() {
        // y = 0.3 + 0.1·log10(x) exactly except for "ö", which sits 0.2 below its line value
        List<String> letters = List.of("a", "e", "i", "ö", "q");
        double[] x = {10, 100, 1000, 10000, 100000};
        double[] y = {0.4, 0.5, 0.6, 0.7 - 0.2, 0.8};
        String text = Readings.relation("letter accuracy", "training frequency", letters, x, y, true);
        LinearFit fit = LinearFit.of(new double[] {1, 2, 3, 4, 5}, y);
        assertTrue(text.startsWith("Letter accuracy shows no clear linear relation to training frequency (r = " + Readings.num(fit.r()) + ", n = 5)")
                || text.startsWith("Letter accuracy rises with training frequency (r = " + Readings.num(fit.r()) + ", n = 5)"), text);
        assertTrue(text.contains("each tenfold increase adds " + Readings.num(fit.slope())), text);
        assertTrue(text.contains("Furthest below the line: ö (0.50, fit " + Readings.num(fit.predict(4)) + ")"), text);
        // a clean line with many points: a clear rise, and the CI is reported around the slope 0.1
        double[] xs = new double[20], ys = new double[20];
        String[] names = new String[20];
        for (int i = 0; i < 20; i++) {
            xs[i] = Math.pow(10, 1 + i * 0.2);
            ys[i] = 0.3 + 0.1 * Math.log10(xs[i]) + (i % 2 == 0 ? 0.01 : -0.01);
            names[i] = "l" + i;
        }
        String clean = Readings.relation("letter accuracy", "training frequency", List.of(names), xs, ys, true);
        // reference: slope and its 95% CI by the textbook formulas, t(0.975, 18) = 2.100922 from a table
        double mx = 0, my = 0;
        for (int i = 0; i < 20; i++) {
            mx += Math.log10(xs[i]) / 20;
            my += ys[i] / 20;
        }
        double sxx = 0, sxy = 0, syy = 0;
        for (int i = 0; i < 20; i++) {
            double dx = Math.log10(xs[i]) - mx, dy = ys[i] - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        double b = sxy / sxx, s = Math.sqrt((syy - b * sxy) / 18), half = 2.100922 * s / Math.sqrt(sxx);
        assertTrue(clean.startsWith("Letter accuracy rises with training frequency (r = 1.00, n = 20): each tenfold increase adds "
                + Readings.num(b) + " (95% CI " + Readings.num(b - half) + " to " + Readings.num(b + half) + ")."), clean);
    }

    @Test
    void clusterAndConfusionReadings() {
        List<String> letters = List.of("a", "e", "q");
        // clusters: c0 97% a, c1 60% e, c2 split 50/50 a/e, q never a majority
        double[][] counts = {{97, 40, 50}, {3, 60, 50}, {0, 0, 0}};
        double[][] withQ = {{97, 40, 45}, {3, 60, 45}, {0, 0, 10}};
        assertEquals("Of 3 non-empty clusters, 2 have one letter making up more than half of its frames; the purest clusters are a (0.97)"
                + " and e (0.60). Majority letter of no cluster: q.", Readings.clustersVersusLetters(letters, withQ));
        assertTrue(Readings.clustersVersusLetters(letters, counts).endsWith("Every letter is the majority of at least one cluster."));

        double[][] confusion = {{80, 15, 5}, {10, 90, 0}, {0, 0, 0}};
        assertEquals("The most frequent confusions are a → e (15% of a) and e → a (10% of e); overall 85% of frames are recognised correctly.",
                Readings.confusions(letters, confusion, 2));
    }

    @Test
    void writesAnOfflinePageWithNumberedFiguresAndTables(@TempDir Path dir) throws Exception {
        double[] nmi = {0.1, 0.2, 0.3};
        LineChart.write(dir.resolve("figures"), "nmi", LineChart.Spec.of(List.of("CNN", "1", "2"),
                List.of(LineChart.Series.of("NMI", nmi, 0, false)), "layer", "NMI"));
        Report report = new Report("Letters <in> wav2vec2 & friends", "A short summary.",
                List.of(new Report.Parameter("frames", "10000"), new Report.Parameter("k", "50")),
                List.of(new Report.Section("layers", "Layer by layer", "NMI rises.",
                        List.of(new Report.Figure("figures/nmi.png", "figures/nmi.svg", "NMI per layer.", null)),
                        List.of(new Report.Table("NMI per layer.", List.of("layer", "NMI"),
                                List.of(List.of("CNN", "0.10"), List.of("1", "−0.20")),
                                List.of(new Report.Link("CSV", "tables/nmi.csv")))))),
                "explorer.html");
        Path index = ReportWriter.write(dir, report);
        String html = Files.readString(index);
        assertTrue(html.contains("<title>Letters &lt;in&gt; wav2vec2 &amp; friends</title>"));
        assertTrue(html.contains("<b>Figure 1.</b> NMI per layer."));
        assertTrue(html.contains("<img src=\"figures/nmi.png\""));
        assertTrue(html.contains("<a href=\"figures/nmi.svg\">SVG</a>"));
        assertTrue(html.contains("<b>Table 1.</b> NMI per layer."));
        assertTrue(html.contains("<a href=\"tables/nmi.csv\">CSV</a>"));
        assertTrue(html.contains("<td class=\"num\">−0.20</td>"));
        assertTrue(html.contains("href=\"explorer.html\""));
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script"), "nothing to fetch, nothing to run");

        String inlined = Files.readString(ReportWriter.write(dir, report, 1 << 20));
        assertTrue(inlined.contains("<img src=\"data:image/png;base64,"));

        Report missing = new Report("t", null, List.of(), List.of(new Report.Section("s", "S", null,
                List.of(new Report.Figure("figures/none.png", null, "c", null)), List.of())), null);
        UserError e = assertThrows(UserError.class, () -> ReportWriter.write(dir, missing));
        assertTrue(e.getMessage().contains("none.png"));
    }
}
