package wavlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import wavlens.io.Json;
import wavlens.io.UserError;

class RankCommandTest {
    static final String FIT = """
            {"format": "wavlens-letter-accuracy-fit/2", "source": "test", "accuracy_measure": "f1",
             "predictors": ["log_frequency", "entropy"], "center": [-2, 1.5], "scale": [1, 0.5],
             "coefficients": [0.9, 0.02, -0.04],
             "covariance": [[0, 0, 0], [0, 0, 0], [0, 0, 0]], "residual_variance": 0, "residual_df": 20, "letters": ["a", "ä"],
             "measurement": {"layer": "6", "inventory": ["<sil>", "a", "ä"], "k": 3, "spherical": true, "restarts": 3, "max_iter": 300,
                             "tol": 1e-4, "seed": 1, "exclude_silence": false, "max_frames": 300, "extraction_seed": 1, "split": "all",
                             "tier": "letters|phones|words"}}
            """;

    @Test
    void ranksModelsAndWritesJson(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("fit.json"), FIT);
        // Lower entropy = letter better singled out = higher predicted accuracy (b2 < 0).
        Files.writeString(dir.resolve("good.json"), "{\"model\": \"good\", \"letters\": {\"a\": {\"entropy\": 1.0}, \"ä\": {\"entropy\": 1.0}}}");
        Files.writeString(dir.resolve("poor.json"), "{\"model\": \"poor\", \"letters\": {\"a\": {\"entropy\": 2.0}, \"ä\": {\"entropy\": 2.0}}}");
        Files.writeString(dir.resolve("target.txt"), "Ää aA\n");
        int rc = new CommandLine(new RankCommand()).execute("--fit", dir.resolve("fit.json").toString(),
                "--models", dir.resolve("poor.json").toString(), dir.resolve("good.json").toString(),
                "--target-text", dir.resolve("target.txt").toString(), "--out", dir.resolve("rank.json").toString());
        assertEquals(0, rc);
        JsonNode out = Json.read(dir.resolve("rank.json"));
        assertEquals("good", out.at("/models/0/model").asText());
        assertEquals(1, out.at("/models/0/rank").asInt());
        // a and ä both have frequency 1/2: z_f = ln 0.5 + 2; good: z_e = −1 → 0.9 + 0.02 z_f + 0.04
        double expected = 0.9 + 0.02 * (Math.log(0.5) + 2) + 0.04;
        assertEquals(expected, out.at("/models/0/predicted_accuracy").asDouble(), 1e-12);
        assertEquals(expected - 0.08, out.at("/models/1/predicted_accuracy").asDouble(), 1e-12);
        assertEquals("ä", out.at("/models/0/letters/1/letter").asText());
    }

    @Test
    void badInputIsOneUserError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("fit.json"), FIT);
        Files.writeString(dir.resolve("m.json"), "{\"letters\": {\"a\": {\"purity\": 0.5}}}");
        Files.writeString(dir.resolve("target.txt"), "a\n");
        RankCommand cmd = new RankCommand();
        new CommandLine(cmd).parseArgs("--fit", dir.resolve("fit.json").toString(), "--models", dir.resolve("m.json").toString(),
                "--target-text", dir.resolve("target.txt").toString());
        UserError e = assertThrows(UserError.class, cmd::call);
        assertTrue(e.getMessage().startsWith(dir.resolve("m.json") + ": "), e.getMessage());

        // an empty target (no letters) is one line naming the file
        Files.writeString(dir.resolve("empty.txt"), "123 !?\n");
        Files.writeString(dir.resolve("ok.json"), "{\"letters\": {\"a\": {\"entropy\": 1.0}}}");
        RankCommand empty = new RankCommand();
        new CommandLine(empty).parseArgs("--fit", dir.resolve("fit.json").toString(), "--models", dir.resolve("ok.json").toString(),
                "--target-text", dir.resolve("empty.txt").toString());
        UserError none = assertThrows(UserError.class, empty::call);
        assertEquals(dir.resolve("empty.txt") + ": contains no letters (an empty target)", none.getMessage());

        RankCommand missing = new RankCommand();
        new CommandLine(missing).parseArgs("--fit", dir.resolve("nope.json").toString(), "--models", dir.resolve("m.json").toString(),
                "--target-text", dir.resolve("target.txt").toString());
        assertThrows(UserError.class, missing::call);
    }

    @Test
    void benchProbeRunsOnASmallProblem(@TempDir Path dir) {
        int rc = new CommandLine(new BenchProbeCommand()).execute("--rows", "600", "--dims", "8", "--classes", "3",
                "--iterations", "20", "--separation", "6", "--data", dir.toString());
        assertEquals(0, rc);
        JsonNode r = Json.read(dir.resolve("java_result.json"));
        assertEquals(600, r.get("rows").asInt());
        assertTrue(r.get("test_accuracy").asDouble() > 0.6, r.toString());
        assertTrue(Files.exists(dir.resolve("x.npy")) && Files.exists(dir.resolve("is_test.npy")));
    }
}
