package wavlens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.corpus.Alignment;
import wavlens.corpus.Interval;
import wavlens.corpus.TextGrid;
import wavlens.corpus.Tier;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.pipeline.Analysis;

/**
 * A tiny manifest corpus with speaker, gender and age columns through the real analyze path: the
 * metadata reaches tables/metadata_clusters.{csv,json}, the report's static maps and section, and the
 * explorer's "colour by" menu (checked in headless Chromium).
 */
class MetadataReportTest {
    static final Path SHARED = Path.of("../../shared/testdata/wav2vec2");
    @TempDir static Path tmp;
    static Path out;

    // utterance i: speaker spk(i % 2), gender a function of the speaker, age bins as Common Voice writes them (one unknown)
    static final String[] SPLITS = {"finetune-train", "finetune-train", "finetune-train", "test", "test", "test"};
    static final String[] WORDS = {"hyvää huomenta", "mitä kuuluu", "kiitos hyvää", "hyvää päivää", "mitä kuuluu", "hyvää huomenta"};
    static final String[] AGES = {"twenties", "thirties", "twenties", "", "thirties", "twenties"};

    @BeforeAll
    static void analyse() throws Exception {
        Path corpus = tmp.resolve("corpus");
        StringBuilder manifest = new StringBuilder("path\ttranscript\talignment\tspeaker\tgender\tage\n");
        for (int i = 0; i < SPLITS.length; i++) {
            Path d = Files.createDirectories(corpus.resolve(SPLITS[i]));
            Files.copy(SHARED.resolve("ctc-base/inputs/speech_fi.wav"), d.resolve("u" + i + ".wav"));
            double end = 31508 / 16000.0;
            String letters = WORDS[i].replace(" ", "");
            List<Interval> items = new ArrayList<>();
            double step = (end - 0.2) / letters.length();
            items.add(new Interval(0, 0.1, ""));
            for (int j = 0; j < letters.length(); j++) items.add(new Interval(0.1 + j * step, 0.1 + (j + 1) * step, letters.substring(j, j + 1)));
            items.add(new Interval(0.1 + letters.length() * step, end, ""));
            TextGrid.write(d.resolve("u" + i + ".TextGrid"), new Alignment("u.TextGrid", 0, end, Map.of("letters", new Tier("letters", false, 0, end, items))));
            manifest.append(SPLITS[i]).append("/u").append(i).append(".wav\t").append(WORDS[i]).append('\t').append(SPLITS[i]).append("/u").append(i)
                    .append(".TextGrid\tspk").append(i % 2).append('\t').append(i % 2 == 0 ? "female" : "male").append('\t').append(AGES[i]).append('\n');
        }
        Files.writeString(corpus.resolve("manifest.tsv"), manifest);
        out = tmp.resolve("report");
        new Analysis(new Analysis.Options(SHARED.resolve("base-group"), SHARED.resolve("ctc-base"), corpus, null, "all", out, 0, true, 2, 1, 40, 50,
                "pca", 300, false, "f1")).run();
    }

    @Test
    void clusterMetricsPerMetadataColumnAndLayer() {
        List<List<String>> t = Csv.read(out.resolve("tables/metadata_clusters.csv"));
        List<String> h = t.get(0);
        Map<String, Map<String, Double>> nmi = new HashMap<>(); // column → "model/layer" → nmi
        Map<String, String> unknown = new HashMap<>();
        for (List<String> r : t.subList(1, t.size())) {
            String column = r.get(h.indexOf("column"));
            nmi.computeIfAbsent(column, k -> new HashMap<>()).put(r.get(h.indexOf("model")) + "/" + r.get(h.indexOf("layer")), Double.parseDouble(r.get(h.indexOf("nmi"))));
            unknown.put(column, r.get(h.indexOf("frames_unknown")));
            double v = Double.parseDouble(r.get(h.indexOf("nmi")));
            assertTrue(v >= 0 && v <= 1, r.toString());
        }
        assertEquals(List.of("age", "gender", "speaker", "split"), nmi.keySet().stream().sorted().toList());
        // gender is a one-to-one renaming of speaker here, so the clusters carry exactly as much of either
        assertEquals(nmi.get("speaker"), nmi.get("gender"));
        assertEquals("0", unknown.get("gender"));
        assertTrue(Integer.parseInt(unknown.get("age")) > 0, "utterance 3 has no age: its frames are left out of the age rows");
        // 2 models × every layer the cluster tables have
        List<List<String>> cm = Csv.read(out.resolve("tables/cluster_metrics_pretrained.csv"));
        assertEquals(2 * (cm.size() - 1), nmi.get("gender").size());

        // purity against gender recomputed here from the cached clusters and the store's rows
        List<List<String>> rows = Csv.read(wavlens.pipeline.Analysis.cacheOf(out).resolve("store-pretrained/frames/rows.csv"));
        List<String> rh = rows.get(0);
        String firstLayer = cm.get(1).get(cm.get(0).indexOf("layer"));
        int[] assign = Npy.read(wavlens.pipeline.Analysis.cacheOf(out).resolve("clusters/pretrained_" + firstLayer + "_assignments.npy")).ints();
        List<String> genders = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) {
            String label = r.get(rh.indexOf("label"));
            // the rows k-means saw: all but <unk> and <blank> (silence is analysed: excludeSilence is false here)
            if (!label.equals("<unk>") && !label.equals("<blank>")) genders.add(r.get(rh.indexOf("gender")));
        }
        assertEquals(assign.length, genders.size());
        Map<Integer, Map<String, Integer>> counts = new HashMap<>();
        for (int i = 0; i < assign.length; i++) counts.computeIfAbsent(assign[i], k -> new HashMap<>()).merge(genders.get(i), 1, Integer::sum);
        double purity = counts.values().stream().mapToInt(m -> m.values().stream().max(Integer::compare).orElse(0)).sum() / (double) assign.length;
        for (List<String> r : t.subList(1, t.size())) {
            if (r.get(h.indexOf("model")).equals("pretrained") && r.get(h.indexOf("column")).equals("gender") && r.get(h.indexOf("layer")).equals(firstLayer)) {
                assertEquals(purity, Double.parseDouble(r.get(h.indexOf("purity"))), 1e-12);
            }
        }
        JsonNode json = Json.read(out.resolve("tables/metadata_clusters.json"));
        assertEquals(t.size() - 1, json.path("rows").size());
    }

    @Test
    void reportHasMetadataMapsAndSection() throws Exception {
        for (String f : new String[] {"maps-gender", "maps-age", "maps-speaker", "maps-split", "layers-metadata"}) {
            assertTrue(Files.exists(out.resolve("figures/" + f + ".png")), f);
            assertTrue(Files.exists(out.resolve("figures/" + f + ".svg")), f);
        }
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("Speakers and metadata in the clusters"), "metadata section");
        assertTrue(html.contains("tables/metadata_clusters.csv"));
    }

    @Test
    void explorerOffersEveryMetadataColumn() throws Exception {
        String js = Files.readString(out.resolve("explorer-data.js"));
        JsonNode data = Json.MAPPER.readTree(js.substring(js.indexOf('{'), js.lastIndexOf('}') + 1));
        List<String> names = new ArrayList<>();
        for (JsonNode c : data.path("colorings")) names.add(c.path("name").asText());
        assertEquals(List.of("letter", "speaker", "gender", "age", "split"), names);
        JsonNode age = data.path("colorings").get(3);
        List<String> ageNames = new ArrayList<>();
        for (JsonNode n : age.path("names")) ageNames.add(n.asText());
        assertEquals(List.of("(unknown)", "thirties", "twenties").stream().sorted().toList(), ageNames.stream().sorted().toList());

        Assumptions.assumeTrue(Files.isExecutable(DevTools.CHROMIUM), "chromium not installed (apt-get install chromium)");
        try (DevTools browser = DevTools.launch(1200, 800)) {
            browser.send("Runtime.enable");
            browser.send("Page.enable");
            browser.send("Page.navigate", Map.of("url", out.resolve(ExplorerWriter.PAGE).toUri().toString()));
            browser.awaitEvent(e -> e.path("method").asText().equals("Page.loadEventFired"), 20_000);
            browser.awaitTrue("window.wavlensExplorer && wavlensExplorer.ready", 10_000);
            String options = browser.eval("Array.from(document.getElementById('coloring').options).map(o => o.value).join(',')").asText();
            for (String column : List.of("letter", "speaker", "gender", "age", "split")) assertTrue(options.contains(column), options);
            long before = browser.eval("wavlensExplorer.signature()").asLong();
            browser.eval("(() => { const s = document.getElementById('coloring'); s.value = 'age'; s.dispatchEvent(new Event('change')); })()");
            long after = browser.eval("wavlensExplorer.signature()").asLong();
            assertTrue(before != after, "colouring by age redraws the map");
        }
    }
}
