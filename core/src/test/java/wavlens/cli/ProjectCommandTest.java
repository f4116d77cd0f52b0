package wavlens.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.projection.GaussianMixture;

class ProjectCommandTest {
    @TempDir
    Path dir;

    /** Runs the command, returns its standard output. */
    static String run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new ProjectCommand()).execute(args);
            assertEquals(0, code);
        } finally {
            System.setOut(saved);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesCoordinatesAndPrintsJsonSummary() throws Exception {
        var data = GaussianMixture.generate(240, 8, 3, 4.0, 1);
        Path x = dir.resolve("x.npy"), labels = dir.resolve("labels.npy");
        Npy.writeFloats(x, data.x(), 240, 8);
        Npy.writeInts(labels, data.labels(), 240);
        for (String method : new String[] {"pca", "tsne", "umap"}) {
            Path out = dir.resolve(method + ".npy");
            String output = run("--input", x.toString(), "--method", method, "--labels", labels.toString(),
                    "--iterations", "300", "--perplexity", "20", "--out", out.toString());
            String[] lines = output.strip().split("\n");
            JsonNode summary = Json.MAPPER.readTree(lines[lines.length - 1]);
            assertEquals(method, summary.get("method").asText());
            assertEquals(240, summary.get("n").asInt());
            assertTrue(summary.get("seconds").asDouble() >= 0);
            assertTrue(summary.get("trustworthiness").asDouble() > 0.5, output);
            assertTrue(summary.get("label_agreement").asDouble() > 0.9, output);
            Npy.Array y = Npy.read(out);
            assertArrayEquals(new int[] {240, 2}, y.shape());
            assertEquals("<f4", y.dtype());
        }
    }

    @Test
    void badInputNamesTheFile() {
        Path x = dir.resolve("bad.npy");
        float[] values = new float[30 * 3];
        values[40] = Float.NaN;
        Npy.writeFloats(x, values, 30, 3);
        UserError nan = callExpectingError("--input", x.toString(), "--method", "tsne", "--out", dir.resolve("y.npy").toString());
        assertTrue(nan.getMessage().startsWith(x.toString()) && nan.getMessage().contains("row 13, column 1"), nan.getMessage());

        Path ok = dir.resolve("ok.npy");
        Npy.writeFloats(ok, new float[30 * 3], 30, 3);
        UserError perplexity = callExpectingError("--input", ok.toString(), "--method", "tsne", "--out", dir.resolve("y.npy").toString());
        assertTrue(perplexity.getMessage().contains("perplexity"), perplexity.getMessage());

        UserError method = callExpectingError("--input", ok.toString(), "--method", "mds", "--out", dir.resolve("y.npy").toString());
        assertTrue(method.getMessage().contains("pca, tsne or umap"), method.getMessage());

        Path oneD = dir.resolve("one.npy");
        Npy.writeFloats(oneD, new float[5], 5);
        UserError shape = callExpectingError("--input", oneD.toString(), "--method", "pca", "--out", dir.resolve("y.npy").toString());
        assertTrue(shape.getMessage().contains("2-D"), shape.getMessage());
    }

    static UserError callExpectingError(String... args) {
        ProjectCommand command = new ProjectCommand();
        new CommandLine(command).parseArgs(args);
        return assertThrows(UserError.class, command::call);
    }
}
