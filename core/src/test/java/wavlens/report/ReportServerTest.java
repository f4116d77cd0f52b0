package wavlens.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.UserError;

class ReportServerTest {
    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<byte[]> get(int port, String path, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (range != null) b.header("Range", range);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesFilesRangesAndNothingOutsideTheFolder(@TempDir Path tmp) throws Exception {
        Path report = tmp.resolve("report");
        Files.createDirectories(report.resolve("audio"));
        Files.writeString(report.resolve("index.html"), "<p>hello</p>");
        byte[] wav = new byte[1000];
        for (int i = 0; i < wav.length; i++) wav[i] = (byte) i;
        Files.write(report.resolve("audio/a b.wav"), wav);
        Files.writeString(tmp.resolve("secret.txt"), "outside");

        try (ReportServer server = ReportServer.start(report, 0)) {
            assertTrue(server.address().getAddress().isLoopbackAddress(), "bound to loopback only");
            int port = server.port();

            HttpResponse<byte[]> index = get(port, "/", null);
            assertEquals(200, index.statusCode());
            assertEquals("<p>hello</p>", new String(index.body(), StandardCharsets.UTF_8));
            assertEquals("text/html; charset=utf-8", index.headers().firstValue("Content-Type").orElseThrow());

            HttpResponse<byte[]> whole = get(port, "/audio/a%20b.wav", null);
            assertEquals(200, whole.statusCode());
            assertEquals("audio/wav", whole.headers().firstValue("Content-Type").orElseThrow());
            assertArrayEquals(wav, whole.body());

            HttpResponse<byte[]> part = get(port, "/audio/a%20b.wav", "bytes=100-199");
            assertEquals(206, part.statusCode());
            assertEquals("bytes 100-199/1000", part.headers().firstValue("Content-Range").orElseThrow());
            assertArrayEquals(Arrays.copyOfRange(wav, 100, 200), part.body());

            HttpResponse<byte[]> open = get(port, "/audio/a%20b.wav", "bytes=990-");
            assertArrayEquals(Arrays.copyOfRange(wav, 990, 1000), open.body());
            HttpResponse<byte[]> suffix = get(port, "/audio/a%20b.wav", "bytes=-5");
            assertArrayEquals(Arrays.copyOfRange(wav, 995, 1000), suffix.body());
            assertEquals(416, get(port, "/audio/a%20b.wav", "bytes=5000-").statusCode());

            assertEquals(404, get(port, "/missing.png", null).statusCode());
            // the HTTP client normalises "..", so send the raw request line by hand
            assertEquals(404, rawStatus(port, "GET /../secret.txt HTTP/1.1"));
            assertEquals(404, rawStatus(port, "GET /audio/%2e%2e/%2e%2e/secret.txt HTTP/1.1"));
            assertEquals(405, rawStatus(port, "DELETE /index.html HTTP/1.1"));
        }
        UserError e = assertThrows(UserError.class, () -> ReportServer.start(tmp.resolve("nope"), 0));
        assertTrue(e.getMessage().contains("nope"));
    }

    static int rawStatus(int port, String requestLine) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII); // "HTTP/1.1 404"
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    @Test
    void serveCommandRejectsAMissingFolder() {
        int code = new picocli.CommandLine(new wavlens.cli.ServeCommand())
                .setExecutionExceptionHandler((ex, cl, pr) -> ex instanceof UserError ? 2 : 1)
                .execute("/nonexistent/report", "--port", "0");
        assertEquals(2, code);
    }
}
