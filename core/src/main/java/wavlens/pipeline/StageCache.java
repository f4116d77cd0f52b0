package wavlens.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import wavlens.io.Json;

/**
 * Reruns only what changed: each stage records the parameters it ran with (which include the
 * fingerprints of the stages it reads) in CACHE/stages/NAME.json, written after its outputs. A
 * stage whose parameters are unchanged and whose outputs all exist is skipped.
 */
final class StageCache {
    private final Path root;
    private int ran, reused;

    StageCache(Path cacheDir) {
        this.root = cacheDir.resolve("stages");
    }

    /** A stage's identity: the SHA-256 of its parameters (upstream fingerprints included). */
    static String fingerprint(ObjectNode params) {
        return Json.fingerprint(params, 12);
    }

    /** Runs the stage unless an identical run's outputs are all there; returns the stage's fingerprint. */
    String run(String name, ObjectNode params, List<Path> outputs, Runnable stage) {
        String fp = fingerprint(params);
        Path record = root.resolve(name + ".json");
        boolean fresh = Files.exists(record) && Json.read(record).path("fingerprint").asText().equals(fp)
                && outputs.stream().allMatch(Files::exists);
        if (fresh) {
            reused++;
            return fp;
        }
        long t0 = System.nanoTime();
        stage.run();
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("fingerprint", fp);
        r.set("parameters", params);
        r.put("seconds", (System.nanoTime() - t0) / 1e9);
        Json.write(record, r);
        ran++;
        return fp;
    }

    int ran() {
        return ran;
    }

    int reused() {
        return reused;
    }
}
