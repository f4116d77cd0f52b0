package wavlens.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import wavlens.cli.LetterStatsCommand;
import wavlens.cli.RankCommand;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * The fit.json that `analyze` writes is the one `rank` reads: the analysis runs on the shared tiny
 * checkpoints over AnalysisTest's hand-aligned corpus, then `rank --candidate` measures the
 * pretrained model again as the fit says — its per-letter purity must be the report's
 * (letter_clusters_pretrained.csv at the fit's layer) — and its predicted accuracy must be the
 * fit's formula applied by hand to those purities and the target's letter counts.
 */
class RankFromAnalysisTest {
    @TempDir static Path tmp;
    static Path corpus, report, fit;

    @BeforeAll
    static void analyze() throws Exception {
        corpus = AnalysisTest.corpus(tmp.resolve("corpus"));
        report = tmp.resolve("report");
        new Analysis(AnalysisTest.options(corpus, report, 0)).run();
        fit = report.resolve("tables/fit.json");
    }

    static Path model(String name) {
        return AnalysisTest.SHARED.resolve(name);
    }

    @Test
    void analyzeFitRanksCandidatesAsTheFitSays() throws Exception {
        assertTrue(Files.isDirectory(Analysis.cacheOf(report).resolve("stages")), "the stage cache is beside the report");
        assertFalse(Files.exists(report.resolve("cache")), "and not in it");
        JsonNode f = Json.read(fit);
        assertEquals("wavlens-letter-accuracy-fit/2", f.path("format").asText());
        String layer = f.at("/measurement/layer").asText();

        Path cache = tmp.resolve("rank-cache"), out = tmp.resolve("rank.json");
        String[] args = {"--fit", fit.toString(), "--candidate", model("base-group").toString(), "--candidate", model("ctc-base").toString(),
                "--corpus", corpus.toString(), "--target-corpus", corpus.toString(), "--cache", cache.toString(), "--out", out.toString()};
        assertEquals(0, new CommandLine(new RankCommand()).execute(args));
        JsonNode r = Json.read(out);
        JsonNode base = null;
        for (JsonNode m : r.path("models")) if (m.path("model").asText().equals("base-group")) base = m;
        assertNotNull(base, r.toString());

        // the report's pretrained purity at the fit's layer, and the finetune-train split's letter shares (letter_frequencies.csv)
        Map<String, Double> purity = new HashMap<>(), share = new HashMap<>();
        List<List<String>> lc = Csv.read(report.resolve("tables/letter_clusters_pretrained.csv"));
        for (List<String> row : lc.subList(1, lc.size())) if (row.get(1).equals(layer)) purity.put(row.get(2), Double.parseDouble(row.get(4)));
        List<List<String>> lf = Csv.read(report.resolve("tables/letter_frequencies.csv"));
        for (List<String> row : lf.subList(1, lf.size())) share.put(row.get(0), Double.parseDouble(row.get(2)));
        double[] c = numbers(f.path("coefficients")), center = numbers(f.path("center")), scale = numbers(f.path("scale"));
        double sumW = 0, sum = 0;
        for (JsonNode l : base.path("letters")) {
            String letter = l.path("letter").asText();
            double y = c[0] + c[1] * (Math.log(share.get(letter)) - center[0]) / scale[0] + c[2] * (purity.get(letter) - center[1]) / scale[1];
            assertEquals(y, l.path("predicted_accuracy").asDouble(), 1e-9, letter);
            sumW += share.get(letter);
            sum += share.get(letter) * y;
        }
        assertEquals(sum / sumW, base.path("predicted_accuracy").asDouble(), 1e-9);
        assertEquals(2, r.path("drivers").size());

        // a rerun measures nothing again: the cached statistics are reused (their files untouched)
        Path stats;
        try (var s = Files.list(cache.resolve("letter-stats"))) {
            stats = s.filter(p -> p.getFileName().toString().startsWith("base-group-")).findFirst().orElseThrow().resolve("stats.json");
        }
        long before = Files.getLastModifiedTime(stats).toMillis();
        Thread.sleep(20);
        assertEquals(0, new CommandLine(new RankCommand()).execute(args));
        assertEquals(before, Files.getLastModifiedTime(stats).toMillis());

        // letter-stats writes the same statistics as M.json, and rank --models gives the same prediction
        Path m = tmp.resolve("base.json"), out2 = tmp.resolve("rank2.json");
        assertEquals(0, new CommandLine(new LetterStatsCommand()).execute("--model", model("base-group").toString(), "--corpus", corpus.toString(),
                "--fit", fit.toString(), "--out", m.toString(), "--cache", cache.toString()));
        for (var e : purity.entrySet()) assertEquals(e.getValue(), Json.read(m).at("/letters/" + e.getKey() + "/purity").asDouble(), 1e-12, e.getKey());
        assertEquals(0, new CommandLine(new RankCommand()).execute("--fit", fit.toString(), "--models", m.toString(),
                "--target-corpus", corpus.toString(), "--out", out2.toString()));
        assertEquals(base.path("predicted_accuracy").asDouble(), Json.read(out2).at("/models/0/predicted_accuracy").asDouble(), 1e-12);
    }

    /** evaluate --out then rank --validate: measured = Σ w_l·F1_l of evaluate's letter_accuracy.csv, w the prediction's target weights. */
    @Test
    void validateSetsPredictionsAgainstEvaluate() throws Exception {
        Path eval = tmp.resolve("eval-ctc"), out = tmp.resolve("validate.json");
        assertEquals(0, new CommandLine(new wavlens.cli.EvaluateCommand()).execute("--model", model("ctc-base").toString(), "--corpus", corpus.toString(),
                "--out", eval.toString()));
        assertEquals(0, new CommandLine(new RankCommand()).execute("--fit", fit.toString(), "--candidate", model("base-group").toString(),
                "--corpus", corpus.toString(), "--target-corpus", corpus.toString(), "--cache", tmp.resolve("rank-cache").toString(),
                "--validate", eval.toString(), "--out", out.toString()));
        Map<String, Double> f1 = new HashMap<>();
        List<List<String>> la = Csv.read(eval.resolve("letter_accuracy.csv"));
        int iF1 = la.get(0).indexOf("f1"), iSupport = la.get(0).indexOf("support");
        for (List<String> row : la.subList(1, la.size())) if (Long.parseLong(row.get(iSupport)) > 0) f1.put(row.get(0), Double.parseDouble(row.get(iF1)));
        JsonNode r = Json.read(out);
        double w = 0, measured = 0, predicted = 0;
        for (JsonNode l : r.at("/models/0/letters")) {
            Double a = f1.get(l.path("letter").asText());
            if (a == null) continue;
            w += l.path("target_frequency").asDouble();
            measured += l.path("target_frequency").asDouble() * a;
            predicted += l.path("target_frequency").asDouble() * l.path("predicted_accuracy").asDouble();
        }
        JsonNode check = r.at("/validation/candidates/0");
        assertEquals(measured / w, check.path("measured_accuracy").asDouble(), 1e-12);
        assertEquals(predicted / w, check.path("predicted_accuracy").asDouble(), 1e-12);
        assertEquals(Json.read(eval.resolve("asr.json")).path("cer").asDouble(), check.path("measured_cer").asDouble(), 1e-12);

        // one evaluation folder per candidate, or one clear line
        UserError e = rankError("--fit", fit.toString(), "--candidate", model("base-group").toString(), "--corpus", corpus.toString(),
                "--target-corpus", corpus.toString(), "--cache", tmp.resolve("rank-cache").toString(), "--validate", eval.toString(), "--validate", eval.toString());
        assertEquals("--validate: give one evaluation folder per candidate (1 candidates, 2 folders)", e.getMessage());
    }

    @Test
    void badInputIsOneClearLine() throws Exception {
        Path cache = tmp.resolve("bad-cache");
        // a candidate whose hidden states do not reach the fit's layer
        ObjectNode f = (ObjectNode) Json.read(fit);
        ((ObjectNode) f.get("measurement")).put("layer", "7");
        Path deep = tmp.resolve("fit-layer7.json");
        Json.write(deep, f);
        UserError e = rankError("--fit", deep.toString(), "--candidate", model("base-group").toString(), "--corpus", corpus.toString(),
                "--target-corpus", corpus.toString(), "--cache", cache.toString());
        assertEquals(model("base-group") + ": has hidden states 0..3 (3 transformer layers), but the fit's statistics are of layer 7: this fit cannot rank it",
                e.getMessage());

        // a corpus of other letters than the fit's inventory
        Path other = AnalysisTest.corpus(tmp.resolve("other-corpus"));
        try (var s = Files.walk(other)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".TextGrid")).toList()) Files.writeString(p, Files.readString(p).replace("\"ä\"", "\"q\""));
        }
        e = rankError("--fit", fit.toString(), "--candidate", model("base-group").toString(), "--corpus", other.toString(),
                "--target-corpus", corpus.toString(), "--cache", cache.toString());
        assertTrue(e.getMessage().startsWith(other + ": its labels are not the fit's letter inventory (the fit has ä, not here; here q, not in the fit)"),
                e.getMessage());

        // statistics measured otherwise than the fit (here: another layer) are refused by name
        Path m = tmp.resolve("m-other.json");
        assertEquals(0, new CommandLine(new LetterStatsCommand()).execute("--model", model("base-group").toString(), "--corpus", corpus.toString(),
                "--fit", fit.toString(), "--out", m.toString(), "--cache", cache.toString()));
        ObjectNode stats = (ObjectNode) Json.read(m);
        String layer = stats.at("/measurement/layer").asText();
        String otherLayer = layer.equals("1") ? "2" : "1";
        ((ObjectNode) stats.get("measurement")).put("layer", otherLayer);
        Json.write(m, stats);
        e = rankError("--fit", fit.toString(), "--models", m.toString(), "--target-corpus", corpus.toString());
        assertTrue(e.getMessage().startsWith(m + ": measured otherwise than the fit: layer \"" + otherLayer + "\" here, \"" + layer + "\" in the fit"),
                e.getMessage());

        // target letters the fit never saw are left out with a warning and listed; the prediction is over the others
        Path text = tmp.resolve("target.txt"), out = tmp.resolve("unseen.json");
        Files.writeString(text, "hyvää päivää, zebra!\n");
        assertEquals(0, new CommandLine(new RankCommand()).execute("--fit", fit.toString(), "--candidate", model("base-group").toString(),
                "--corpus", corpus.toString(), "--target-text", text.toString(), "--cache", cache.toString(), "--out", out.toString()));
        JsonNode r = Json.read(out);
        List<String> unseen = new java.util.ArrayList<>();
        r.path("unseen_target_letters").forEach(x -> unseen.add(x.asText()));
        List<String> fitLetters = new java.util.ArrayList<>();
        Json.read(fit).path("letters").forEach(x -> fitLetters.add(x.asText()));
        for (String l : List.of("z", "b", "r")) assertTrue(unseen.contains(l), unseen.toString());
        for (String l : unseen) assertFalse(fitLetters.contains(l), l);
        for (JsonNode l : r.at("/models/0/letters")) assertTrue(fitLetters.contains(l.path("letter").asText()));
    }

    static UserError rankError(String... args) {
        RankCommand cmd = new RankCommand();
        new CommandLine(cmd).parseArgs(args);
        return assertThrows(UserError.class, cmd::call);
    }

    static double[] numbers(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asDouble();
        return v;
    }
}
