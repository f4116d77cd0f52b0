package wavlens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A whole report folder from synthetic numbers, the way the pipeline will fill it: figures,
 * readings, tables, explorer. Then, in headless Chromium: index.html shows every figure with no
 * errors, and the explorer served by {@link ReportServer} plays audio over HTTP (byte ranges).
 * The folder stays in target/report-demo/ to look at.
 */
class ReportDemoTest {
    static final Path DIR = Path.of("target", "report-demo").toAbsolutePath();

    static Report buildDemo() throws Exception {
        List<String> layers = FiguresTest.LAYERS;
        int n = layers.size();
        double[] nmiPre = new double[n], nmiFine = new double[n], cka = new double[n];
        for (int l = 0; l < n; l++) {
            nmiPre[l] = 0.18 + 0.23 * Math.sin(Math.PI * l / (n + 1));
            nmiFine[l] = nmiPre[l] + Math.max(0, 0.045 * (l - 6));
            cka[l] = l <= 6 ? 0.97 - 0.01 * l : 0.91 - 0.1 * (l - 6) + 0.02;
        }
        Path figures = DIR.resolve("figures");
        LineChart.write(figures, "nmi", LineChart.Spec.of(layers, List.of(
                LineChart.Series.of("pretrained", nmiPre, 0, true),
                LineChart.Series.of("fine-tuned", nmiFine, 0, false)), "layer", "NMI (letters vs clusters)"));
        LineChart.write(figures, "cka", LineChart.Spec.of(layers, List.of(LineChart.Series.of("CKA", cka, 1, false)), "layer", "linear CKA")
                .withYRange(0, 1));
        MapGrid.write(figures, "maps", MapGrid.Spec.of(List.of("pretrained", "fine-tuned"), layers,
                FiguresTest.syntheticMaps(800, 9), FiguresTest.LETTERS, "letter").withHighlight("misrecognised"));

        List<String> letters = FiguresTest.LETTERS;
        double[] freq = new double[letters.size()], acc = new double[letters.size()];
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < letters.size(); i++) {
            freq[i] = Math.pow(10, 1.5 + 2.5 * random.nextDouble());
            acc[i] = Math.min(0.99, 0.35 + 0.13 * Math.log10(freq[i]) + 0.05 * random.nextGaussian());
        }
        ScatterFit.write(figures, "accuracy-frequency", ScatterFit.Spec.of(letters, freq, acc, "training frames per letter", "letter accuracy", true));

        List<List<String>> rows = new ArrayList<>();
        for (int l = 0; l < n; l++) {
            rows.add(List.of(layers.get(l), Readings.num(nmiPre[l]), Readings.num(nmiFine[l]), Readings.num(cka[l])));
        }
        return new Report("Letters in wav2vec2 layers: pretrained vs fine-tuned (synthetic demo)",
                Readings.layerComparison("NMI", layers, nmiPre, nmiFine) + " " + Readings.ckaAcrossLayers(layers, cka, 0.9),
                List.of(new Report.Parameter("pretrained", "facebook/wav2vec2-base (synthetic)"),
                        new Report.Parameter("fine-tuned", "Finnish CTC (synthetic)"),
                        new Report.Parameter("frames", "10 400"), new Report.Parameter("k-means", "k = 50, seed 0")),
                List.of(
                        new Report.Section("maps", "Letters on the layer maps", "Each panel is one layer's frames in two dimensions, coloured by letter.",
                                List.of(new Report.Figure("figures/maps.png", "figures/maps.svg",
                                        "t-SNE maps of every layer, pretrained (left) and fine-tuned (right); outlined points are misrecognised frames.", null)),
                                List.of()),
                        new Report.Section("layers", "Layer by layer", Readings.layerComparison("NMI", layers, nmiPre, nmiFine),
                                List.of(new Report.Figure("figures/nmi.png", "figures/nmi.svg", "NMI between k-means clusters and letters per layer.", null),
                                        new Report.Figure("figures/cka.png", "figures/cka.svg", "Linear CKA between the two models per layer.", null)),
                                List.of(new Report.Table("Per-layer scores.", List.of("layer", "NMI pretrained", "NMI fine-tuned", "CKA"), rows,
                                        List.of(new Report.Link("CSV", "tables/layers.csv"))))),
                        new Report.Section("letters", "Letters", Readings.relation("letter accuracy", "training frames per letter", letters, freq, acc, true),
                                List.of(new Report.Figure("figures/accuracy-frequency.png", "figures/accuracy-frequency.svg",
                                        "Per-letter accuracy against training frequency with least-squares fit and 95% confidence band.", null)),
                                List.of())),
                ExplorerWriter.PAGE);
    }

    @Test
    void wholeReportOpensCleanlyAndTheServedExplorerPlaysAudio() throws Exception {
        Report report = buildDemo();
        StringBuilder csv = new StringBuilder("layer,nmi_pretrained,nmi_finetuned,cka\n");
        for (List<String> row : report.sections().get(1).tables().get(0).rows()) csv.append(String.join(",", row).replace("−", "-")).append('\n');
        wavlens.io.AtomicFiles.writeString(DIR.resolve("tables/layers.csv"), csv.toString());
        ExplorerData data = ExplorerTest.synthetic(300, 3);
        Files.createDirectories(DIR.resolve("audio"));
        for (ExplorerData.Utterance u : data.utterances()) Files.write(DIR.resolve(u.audio()), ExplorerTest.sineWav(16000, 3.0, 330));
        ExplorerWriter.write(DIR, data);
        Path index = ReportWriter.write(DIR, report);
        String html = Files.readString(index);
        assertEquals(4, FiguresTest.count(html, "<figure"));

        Assumptions.assumeTrue(Files.isExecutable(DevTools.CHROMIUM), "chromium not installed (apt-get install chromium)");
        try (DevTools browser = DevTools.launch(1000, 900); ReportServer server = ReportServer.start(DIR, 0)) {
            browser.send("Runtime.enable");
            browser.send("Log.enable");
            browser.send("Page.enable");
            browser.send("Emulation.setDeviceMetricsOverride", Map.of("width", 1000, "height", 900, "deviceScaleFactor", 1, "mobile", false));
            browser.send("Page.navigate", Map.of("url", index.toUri().toString()));
            browser.awaitEvent(e -> e.path("method").asText().equals("Page.loadEventFired"), 20_000);
            assertEquals(4, browser.eval("[...document.images].filter(i => i.complete && i.naturalWidth > 0).length").asInt(), "every figure loads");
            browser.screenshot(DIR.resolve("index-screenshot.png"));

            // the explorer over HTTP: audio comes through the server with byte ranges
            browser.send("Page.navigate", Map.of("url", "http://127.0.0.1:" + server.port() + "/" + ExplorerWriter.PAGE));
            browser.awaitTrue("window.wavlensExplorer && wavlensExplorer.ready && location.protocol === 'http:'", 30_000);
            browser.eval("wavlensExplorer.play(10)");
            browser.awaitTrue("wavlensExplorer.state.playing > 0", 30_000);
            assertTrue(browser.eval("document.getElementById('audio').currentTime").asDouble() >= data.start()[10] - 0.05);
            assertEquals(List.of(), browser.errors(), "no console errors, exceptions or failed loads");
        }
    }
}
