package wavlens.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import wavlens.io.Json;

/**
 * A minimal Chrome DevTools Protocol client for the browser tests: starts headless Chromium with
 * a fresh profile, attaches to its first page over the JDK's WebSocket, sends commands and keeps
 * every event (console messages, log entries, exceptions) for the test to inspect.
 */
final class DevTools implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    final List<JsonNode> events = new ArrayList<>();

    private DevTools(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    static DevTools launch(int width, int height) throws Exception {
        Path profile = Files.createTempDirectory("wavlens-chromium-");
        List<String> command = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
                "--autoplay-policy=no-user-gesture-required", "--window-size=" + width + "," + height, "about:blank");
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on stderr
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            Pattern p = Pattern.compile("DevTools listening on ws://[^:]+:(\\d+)/");
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = p.matcher(line);
                    if (m.find()) port.complete(Integer.parseInt(m.group(1)));
                }
            } catch (IOException ignored) {
                // the process ended
            }
            port.completeExceptionally(new IOException("chromium exited without a DevTools port"));
        }, "chromium-stderr");
        reader.setDaemon(true);
        reader.start();
        int devtoolsPort = port.get(30, TimeUnit.SECONDS);

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String pageUrl = null;
        for (int attempt = 0; attempt < 50 && pageUrl == null; attempt++) {
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + devtoolsPort + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (JsonNode target : Json.MAPPER.readTree(list)) {
                if (target.path("type").asText().equals("page")) pageUrl = target.path("webSocketDebuggerUrl").asText();
            }
            if (pageUrl == null) Thread.sleep(100);
        }
        if (pageUrl == null) throw new IOException("chromium has no page target");
        DevTools[] self = new DevTools[1];
        StringBuilder partial = new StringBuilder();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String message = partial.toString();
                    partial.setLength(0);
                    self[0].receive(message);
                }
                webSocket.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        self[0] = new DevTools(process, profile, ws);
        return self[0];
    }

    private void receive(String message) {
        try {
            JsonNode node = Json.MAPPER.readTree(message);
            if (node.has("id")) {
                CompletableFuture<JsonNode> f = pending.remove(node.get("id").asInt());
                if (f != null) f.complete(node);
            } else {
                synchronized (events) {
                    events.add(node);
                    events.notifyAll();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("bad DevTools message: " + message, e);
        }
    }

    /** Sends a command and waits for its result (a protocol error fails the test). */
    JsonNode send(String method, Map<String, Object> params) throws Exception {
        int id = nextId.getAndIncrement();
        ObjectNode msg = Json.MAPPER.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", Json.MAPPER.valueToTree(params));
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        socket.sendText(Json.MAPPER.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        JsonNode reply = f.get(30, TimeUnit.SECONDS);
        if (reply.has("error")) throw new AssertionError(method + ": " + reply.get("error"));
        return reply.get("result");
    }

    JsonNode send(String method) throws Exception {
        return send(method, Map.of());
    }

    /** Evaluates a JS expression in the page (promises awaited) and returns its JSON value. */
    JsonNode eval(String expression) throws Exception {
        JsonNode r = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails")) throw new AssertionError("JS error in " + expression + ": " + r.get("exceptionDetails"));
        return r.path("result").path("value");
    }

    /** Waits until an event matching the predicate has arrived. */
    JsonNode awaitEvent(Predicate<JsonNode> match, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (events) {
            while (true) {
                for (JsonNode e : events) if (match.test(e)) return e;
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) throw new AssertionError("event did not arrive in " + timeoutMs + " ms");
                events.wait(left);
            }
        }
    }

    /** Polls a JS condition until it is true. */
    void awaitTrue(String condition, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!eval("Boolean(" + condition + ")").asBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("not true after " + timeoutMs + " ms: " + condition);
            Thread.sleep(50);
        }
    }

    /** Console errors, uncaught exceptions and error log entries (failed loads) seen so far. */
    List<String> errors() {
        List<String> out = new ArrayList<>();
        synchronized (events) {
            for (JsonNode e : events) {
                String method = e.path("method").asText();
                JsonNode p = e.path("params");
                if (method.equals("Runtime.exceptionThrown")) out.add("exception: " + p.path("exceptionDetails"));
                if (method.equals("Runtime.consoleAPICalled") && (p.path("type").asText().equals("error") || p.path("type").asText().equals("assert"))) {
                    out.add("console." + p.path("type").asText() + ": " + p.path("args"));
                }
                if (method.equals("Log.entryAdded") && p.path("entry").path("level").asText().equals("error")) {
                    out.add("log: " + p.path("entry").path("text").asText() + " " + p.path("entry").path("url").asText());
                }
            }
        }
        return out;
    }

    void mouse(String type, double x, double y, Map<String, Object> extra) throws Exception {
        Map<String, Object> params = new java.util.HashMap<>(Map.of("type", type, "x", x, "y", y));
        params.putAll(extra);
        send("Input.dispatchMouseEvent", params);
    }

    /** A PNG screenshot of the viewport, written to file. */
    void screenshot(Path file) throws Exception {
        JsonNode shot = send("Page.captureScreenshot", Map.of("format", "png"));
        Files.write(file, java.util.Base64.getDecoder().decode(shot.get("data").asText()));
    }

    @Override
    public void close() throws Exception {
        try {
            send("Browser.close");
        } catch (Throwable ignored) {
            // already gone
        }
        socket.abort();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        try (var walk = Files.walk(profile)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
