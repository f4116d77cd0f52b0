package wavlens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wavlens.io.Json;

/**
 * The explorer page in headless Chromium, driven over the DevTools protocol: it loads without
 * console errors, the model/layer/colouring controls change the drawing, hovering shows the
 * tooltip, clicking a point plays its audio span, a legend click lists the cluster's frames,
 * the wheel zooms. The screenshot lands in target/explorer-test/explorer-screenshot.png.
 * Skipped when /usr/bin/chromium is missing (Debian package "chromium").
 */
class ExplorerTest {
    static final Path DIR = Path.of("target", "explorer-test").toAbsolutePath();
    static final List<String> LETTERS = List.of("a", "e", "i", "k", "s", "t");
    static final List<String> LAYERS = List.of("CNN", "1", "2", "3");
    static ExplorerData data;

    @BeforeAll
    static void writeExplorer() throws Exception {
        data = synthetic(600, 7);
        Files.createDirectories(DIR.resolve("audio"));
        for (ExplorerData.Utterance u : data.utterances()) {
            Files.write(DIR.resolve(u.audio()), sineWav(16000, 3.0, 220 + 110 * data.utterances().indexOf(u)));
        }
        ExplorerWriter.write(DIR, data);
    }

    /** Frames of 3 utterances, letters as blobs; clusters = letter in the top layers, random in the CNN layer. */
    static ExplorerData synthetic(int n, long seed) {
        Random random = new Random(seed);
        List<ExplorerData.Utterance> utterances = new ArrayList<>();
        for (int u = 0; u < 3; u++) utterances.add(new ExplorerData.Utterance("spk" + u + "_000" + u, "audio/utt" + u + ".wav"));
        int[] utt = new int[n], letter = new int[n], gender = new int[n];
        float[] start = new float[n], end = new float[n];
        for (int i = 0; i < n; i++) {
            utt[i] = i % 3;
            letter[i] = random.nextInt(LETTERS.size());
            gender[i] = utt[i] == 1 ? 1 : 0;
            start[i] = (float) (0.02 * (i / 3) % 2.8);
            end[i] = start[i] + 0.08f;
        }
        int models = 2, layers = LAYERS.size();
        float[][][] x = new float[models][layers][n], y = new float[models][layers][n];
        int[][][] cluster = new int[models][layers][n];
        boolean[][] mistake = new boolean[models][n];
        for (int m = 0; m < models; m++) {
            for (int l = 0; l < layers; l++) {
                double spread = 1.5 - 0.3 * l - 0.2 * m;
                for (int i = 0; i < n; i++) {
                    double angle = 2 * Math.PI * letter[i] / LETTERS.size();
                    x[m][l][i] = (float) (4 * Math.cos(angle) + spread * random.nextGaussian()) * (l + 1);
                    y[m][l][i] = (float) (4 * Math.sin(angle) + spread * random.nextGaussian()) * (l + 1);
                    cluster[m][l][i] = l == 0 ? random.nextInt(8) : letter[i];
                }
            }
            for (int i = 0; i < n; i++) mistake[m][i] = random.nextDouble() < 0.03;
        }
        List<ExplorerData.Coloring> colorings = List.of(
                new ExplorerData.Coloring("letter", LETTERS, letter),
                new ExplorerData.Coloring("gender", List.of("female", "male"), gender));
        return new ExplorerData("synthetic explorer", List.of("pretrained", "fine-tuned"), LAYERS, utterances, utt, start, end,
                colorings, x, y, cluster, mistake);
    }

    /** 16-bit mono PCM WAV of a sine tone. */
    static byte[] sineWav(int rate, double seconds, double hz) {
        int samples = (int) (rate * seconds);
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * samples).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(2 * rate)
                .putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(2 * samples);
        for (int i = 0; i < samples; i++) b.putShort((short) (8000 * Math.sin(2 * Math.PI * hz * i / rate)));
        return b.array();
    }

    @Test
    void dataScriptDefinesTheDocumentedGlobal() throws Exception {
        String js = Files.readString(DIR.resolve(ExplorerWriter.DATA));
        String prefix = js.substring(0, js.indexOf("window.WAVLENS_DATA = ") + "window.WAVLENS_DATA = ".length());
        String json = js.substring(prefix.length(), js.lastIndexOf(';'));
        JsonNode d = Json.MAPPER.readTree(json);
        assertEquals("wavlens-explorer/1", d.get("format").asText());
        assertEquals(2, d.get("maps").size());
        assertEquals(4, d.get("maps").get(0).size());
        assertEquals(600, d.get("maps").get(1).get(3).get("x").size());
        // coordinates with 5 significant digits: within a relative 1e-4 of the floats given
        float given = data.x()[1][3][17];
        assertEquals(given, d.get("maps").get(1).get(3).get("x").get(17).asDouble(), Math.abs(given) * 1e-4);
        assertEquals(data.cluster()[0][0][5], d.get("maps").get(0).get(0).get("cluster").get(5).asInt());
        assertEquals("audio/utt1.wav", d.get("utterances").get(1).get("audio").asText());
        assertEquals(Palettes.hex(Palettes.OKABE_ITO[0]), d.get("colorings").get(0).get("colors").get(0).asText());
        assertEquals(8, d.get("clusterNames").size());
    }

    @Test
    void explorerWorksInHeadlessChromium() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(DevTools.CHROMIUM), "chromium not installed (apt-get install chromium)");
        try (DevTools browser = DevTools.launch(1200, 800)) {
            browser.send("Runtime.enable");
            browser.send("Log.enable");
            browser.send("Page.enable");
            browser.send("Emulation.setDeviceMetricsOverride", Map.of("width", 1200, "height", 800, "deviceScaleFactor", 1, "mobile", false));
            browser.send("Page.navigate", Map.of("url", DIR.resolve(ExplorerWriter.PAGE).toUri().toString()));
            browser.awaitEvent(e -> e.path("method").asText().equals("Page.loadEventFired"), 20_000);
            browser.awaitTrue("window.wavlensExplorer && wavlensExplorer.ready", 10_000);
            assertEquals("synthetic explorer", browser.eval("document.title").asText());

            // controls: every switch changes the pixels on the canvas
            long first = browser.eval("wavlensExplorer.signature()").asLong();
            browser.eval("(() => { const s = document.getElementById('layer'); s.value = '3'; s.dispatchEvent(new Event('change')); })()");
            assertEquals(3, browser.eval("wavlensExplorer.state.layer").asInt());
            long layer3 = browser.eval("wavlensExplorer.signature()").asLong();
            assertNotEquals(first, layer3, "layer switch redraws");
            browser.eval("(() => { const s = document.getElementById('model'); s.value = '1'; s.dispatchEvent(new Event('change')); })()");
            assertEquals(1, browser.eval("wavlensExplorer.state.model").asInt());
            long model1 = browser.eval("wavlensExplorer.signature()").asLong();
            assertNotEquals(layer3, model1, "model switch redraws");
            browser.eval("(() => { const s = document.getElementById('coloring'); s.value = 'gender'; s.dispatchEvent(new Event('change')); })()");
            long gender = browser.eval("wavlensExplorer.signature()").asLong();
            assertNotEquals(model1, gender, "colouring switch redraws");
            assertEquals(2, browser.eval("document.querySelectorAll('#legend button').length").asInt(), "legend lists female and male");

            // hover a point with a real mouse event: the tooltip names its utterance and time
            int point = 42;
            JsonNode pos = browser.eval("wavlensExplorer.screenPosition(" + point + ")");
            double px = pos.get("x").asDouble(), py = pos.get("y").asDouble();
            browser.mouse("mouseMoved", px, py, Map.of());
            browser.awaitTrue("document.getElementById('tooltip').style.display === 'block'", 5_000);
            int hovered = browser.eval("wavlensExplorer.state.hovered").asInt();
            String tip = browser.eval("document.getElementById('tooltip').textContent").asText();
            String expectedId = data.utterances().get(data.utterance()[hovered]).id();
            assertTrue(tip.startsWith(expectedId + " · " + String.format(java.util.Locale.ROOT, "%.2f s", data.start()[hovered])), tip);

            // click it: its audio span starts playing
            browser.mouse("mousePressed", px, py, Map.of("button", "left", "clickCount", 1));
            browser.mouse("mouseReleased", px, py, Map.of("button", "left", "clickCount", 1));
            browser.awaitTrue("wavlensExplorer.state.lastPlay !== null", 5_000);
            JsonNode play = browser.eval("wavlensExplorer.state.lastPlay");
            assertEquals(expectedId, play.get("utterance").asText());
            assertEquals(data.start()[hovered], play.get("start").asDouble(), 1e-4);
            String src = browser.eval("document.getElementById('audio').src").asText();
            assertTrue(src.endsWith(data.utterances().get(data.utterance()[hovered]).audio() + "#t="
                    + String.format(java.util.Locale.ROOT, "%.3f,%.3f", data.start()[hovered], data.end()[hovered])), src);
            // playback starts once chromium has decoded the WAV: seconds on a machine whose cores are busy
            browser.awaitTrue("wavlensExplorer.state.playing > 0", 30_000);

            // colour by cluster, click the legend entry of cluster 2: the list holds exactly its frames
            browser.eval("(() => { const s = document.getElementById('coloring'); s.value = 'cluster'; s.dispatchEvent(new Event('change')); })()");
            browser.eval("document.querySelector('#legend button[data-category=\"2\"]').click()");
            int members = 0;
            for (int c : data.cluster()[1][3]) if (c == 2) members++;
            assertEquals(members, browser.eval("document.querySelectorAll('#members tr.row').length").asInt());
            assertTrue(browser.eval("document.getElementById('members-title').textContent").asText().endsWith(members + " frames"));

            // wheel zoom about the cursor
            double scale = browser.eval("wavlensExplorer.state.view.scale").asDouble();
            browser.mouse("mouseWheel", 400, 400, Map.of("deltaX", 0, "deltaY", -300));
            browser.awaitTrue("wavlensExplorer.state.view.scale > " + scale * 1.2, 5_000);

            // back to the fitted view, hover the point again: the screenshot shows the tooltip
            browser.eval("document.getElementById('reset').click()");
            JsonNode again = browser.eval("wavlensExplorer.screenPosition(" + hovered + ")");
            browser.mouse("mouseMoved", again.get("x").asDouble(), again.get("y").asDouble(), Map.of());
            browser.awaitTrue("document.getElementById('tooltip').style.display === 'block'", 5_000);
            browser.screenshot(DIR.resolve("explorer-screenshot.png"));

            assertEquals(List.of(), browser.errors(), "no console errors, exceptions or failed loads");
        }
    }
}
