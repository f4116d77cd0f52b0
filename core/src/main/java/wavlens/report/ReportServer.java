package wavlens.report;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import wavlens.io.UserError;

/**
 * Serves a report folder read-only over HTTP on the loopback interface only (127.0.0.1), for
 * browsers that will not play audio from file:// pages. GET and HEAD of files inside the folder;
 * a folder path serves its index.html; single byte ranges ("Range: bytes=a-b") are answered with
 * 206 so audio elements can seek; anything that resolves outside the folder is 404.
 */
public final class ReportServer implements AutoCloseable {
    private final HttpServer server;
    private final Path root;

    private ReportServer(HttpServer server, Path root) {
        this.server = server;
        this.root = root;
    }

    /** Starts serving root on 127.0.0.1:port (0 = any free port). */
    public static ReportServer start(Path root, int port) {
        Path dir = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) throw UserError.inFile(root, "not a folder");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            ReportServer rs = new ReportServer(server, dir);
            server.createContext("/", rs::handle);
            server.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "wavlens-serve");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return rs;
        } catch (IOException e) {
            throw new UserError("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"), Map.entry("json", "application/json"),
            Map.entry("csv", "text/csv; charset=utf-8"), Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("png", "image/png"), Map.entry("svg", "image/svg+xml"), Map.entry("wav", "audio/wav"),
            Map.entry("flac", "audio/flac"), Map.entry("mp3", "audio/mpeg"), Map.entry("ogg", "audio/ogg"),
            Map.entry("npy", "application/octet-stream"));

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                send(ex, 405, "method not allowed");
                return;
            }
            Path file = resolve(ex.getRequestURI());
            if (file == null) {
                send(ex, 404, "not found");
                return;
            }
            long size = Files.size(file);
            String name = file.getFileName().toString();
            String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
            ex.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(ext, "application/octet-stream"));
            ex.getResponseHeaders().set("Accept-Ranges", "bytes");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            long from = 0, to = size - 1;
            int status = 200;
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null) {
                Matcher m = RANGE.matcher(range.trim());
                if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                    if (m.group(1).isEmpty()) { // suffix range: the last N bytes
                        from = Math.max(0, size - Long.parseLong(m.group(2)));
                    } else {
                        from = Long.parseLong(m.group(1));
                        if (!m.group(2).isEmpty()) to = Math.min(to, Long.parseLong(m.group(2)));
                    }
                    if (from >= size || from > to) {
                        ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
                        ex.sendResponseHeaders(416, -1);
                        return;
                    }
                    status = 206;
                    ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + size);
                }
            }
            long length = to - from + 1;
            if (method.equals("HEAD")) {
                ex.getResponseHeaders().set("Content-Length", Long.toString(length));
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, length == 0 ? -1 : length);
            if (length == 0) return;
            try (SeekableByteChannel channel = Files.newByteChannel(file); OutputStream out = ex.getResponseBody()) {
                channel.position(from);
                InputStream in = Channels.newInputStream(channel);
                byte[] buffer = new byte[1 << 16];
                long left = length;
                while (left > 0) {
                    int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (r < 0) break;
                    out.write(buffer, 0, r);
                    left -= r;
                }
            }
        } catch (IOException e) {
            // the browser went away mid-transfer (e.g. seeking audio): nothing to report
        }
    }

    /** The file for a request path, or null when it does not exist or lies outside the root. */
    private Path resolve(URI uri) {
        String path = uri.getPath(); // already percent-decoded
        if (path == null || path.contains("\0")) return null;
        Path file = root.resolve(path.replaceFirst("^/+", "")).normalize();
        if (!file.startsWith(root)) return null;
        if (Files.isDirectory(file)) file = file.resolve("index.html");
        try {
            // symbolic links may not lead out of the folder either
            if (!Files.isRegularFile(file) || !file.toRealPath().startsWith(root.toRealPath())) return null;
        } catch (IOException e) {
            return null;
        }
        return file;
    }

    private static void send(HttpExchange ex, int status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
