package wavlens.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import wavlens.checkpoint.DType;
import wavlens.io.AtomicFiles;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * What fine-tuning and pretraining share around their steps: the periodic checkpoint that lets
 * an interrupted run resume exactly, Ctrl-C handling, and the per-step log.
 *
 * <p>{@code OUT/checkpoint/} holds model.safetensors (float32), optimizer.safetensors (AdamW's
 * moments) and state.json (step, position in the data, the run's settings, the log so far),
 * written to checkpoint.tmp/ and then renamed into place, so a crash at any moment leaves either
 * the old or the new checkpoint whole. state.json's settings must match the command's on resume.
 */
public final class TrainingRun implements AutoCloseable {
    /** Where the data stream stands: epoch and batch within it. */
    public record Position(long step, int epoch, int batch) {}

    private final Path out;
    private final ObjectNode settings;
    private final List<Map<String, Object>> log = new ArrayList<>();
    private final Thread hook;
    private volatile boolean stopRequested;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private long lastSaveNanos = System.nanoTime();

    /** Opens (creates) the output folder; settings = every option that decides the run's result. */
    public TrainingRun(Path out, ObjectNode settings) {
        this.out = out;
        // through JSON text once, so the settings compare equal to the ones read back from state.json
        try {
            this.settings = (ObjectNode) Json.MAPPER.readTree(settings.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw UserError.inFile(out, "cannot create the output folder: " + e.getMessage());
        }
        hook = new Thread(() -> {
            stopRequested = true;
            try {
                stopped.await(120, TimeUnit.SECONDS);   // let the loop finish its step and write a checkpoint
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "wavlens-training-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public Path out() {
        return out;
    }

    private Path checkpointDir() {
        return out.resolve("checkpoint");
    }

    /**
     * Resumes from OUT/checkpoint when there is one: loads the tensors and the optimizer state and
     * returns the position; null for a fresh start.
     */
    public Position resume(Params params, AdamW optimizer) {
        Path dir = checkpointDir();
        if (!Files.exists(dir.resolve("state.json"))) {
            Path old = out.resolve("checkpoint.old");
            if (Files.exists(old.resolve("state.json"))) dir = old;   // interrupted between the two renames
            else return null;
        }
        JsonNode state = Json.read(dir.resolve("state.json"));
        JsonNode saved = state.path("settings");
        for (var e : settings.properties()) {
            JsonNode was = saved.get(e.getKey());
            if (was == null || !was.equals(e.getValue())) {
                throw UserError.inFile(dir, "holds a checkpoint of a run with other settings (" + e.getKey() + " was "
                        + (was == null ? "not set" : was.toString()) + ", now " + e.getValue() + "); give a new --out folder to start afresh");
            }
        }
        try (var w = wavlens.checkpoint.Weights.open(dir.resolve("model.safetensors"))) {
            for (Params.Tensor t : params.all()) {
                if (!w.has(t.name)) throw UserError.inFile(dir.resolve("model.safetensors"), "has no tensor " + t.name);
                float[] v = w.floats(t.name);
                if (v.length != t.size()) throw UserError.inFile(dir.resolve("model.safetensors"), t.name + " has the wrong size");
                System.arraycopy(v, 0, t.value, 0, v.length);
            }
        }
        long step = state.path("step").asLong();
        optimizer.load(dir.resolve("optimizer.safetensors"), state.path("optimizer_steps").asLong());
        for (JsonNode row : state.path("log")) {
            Map<String, Object> r = new LinkedHashMap<>();
            for (var e : row.properties()) r.put(e.getKey(), e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText());
            log.add(r);
        }
        return new Position(step, state.path("epoch").asInt(), state.path("batch").asInt());
    }

    /** Writes a checkpoint at this position (atomically, see the class comment). */
    public void checkpoint(Params params, AdamW optimizer, Position position) {
        Path tmp = out.resolve("checkpoint.tmp"), dir = checkpointDir(), old = out.resolve("checkpoint.old");
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            params.save(tmp.resolve("model.safetensors"), DType.F32, Map.of("wavlens", "training checkpoint"));
            optimizer.save(tmp.resolve("optimizer.safetensors"));
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("step", position.step());
            state.put("epoch", position.epoch());
            state.put("batch", position.batch());
            state.put("optimizer_steps", optimizer.steps());
            state.put("settings", settings);
            state.put("log", log);
            Json.write(tmp.resolve("state.json"), state);
            deleteTree(old);
            if (Files.exists(dir)) Files.move(dir, old);
            Files.move(tmp, dir);
            deleteTree(old);
        } catch (IOException e) {
            throw UserError.inFile(out, "cannot write the checkpoint: " + e.getMessage());
        }
        lastSaveNanos = System.nanoTime();
    }

    /** True every `everySteps` steps or when `minutes` have passed since the last checkpoint. */
    public boolean due(long stepsDone, int everySteps, double minutes) {
        return (everySteps > 0 && stepsDone % everySteps == 0) || (System.nanoTime() - lastSaveNanos) / 60e9 >= minutes;
    }

    /** Whether Ctrl-C (or a kill) asked the run to stop; the loop then checkpoints and calls {@link #stopAfterCheckpoint}. */
    public boolean stopRequested() {
        return stopRequested;
    }

    /** Lets the interrupted JVM exit now that the checkpoint is written, and ends the command with a message. */
    public UserError stopAfterCheckpoint(long step) {
        stopped.countDown();
        return new UserError("interrupted at step " + step + "; the checkpoint in " + checkpointDir()
                + " is complete: run the same command again to resume");
    }

    /** Appends one row (step, loss, learning rate, …) to the log. */
    public void log(Map<String, Object> row) {
        log.add(row);
    }

    public List<Map<String, Object>> logRows() {
        return log;
    }

    /** Writes the log as OUT/training_log.csv (columns: the union of the rows' keys in first-seen order). */
    public void writeLog() {
        List<String> columns = new ArrayList<>();
        for (Map<String, Object> r : log) for (String k : r.keySet()) if (!columns.contains(k)) columns.add(k);
        StringBuilder sb = new StringBuilder(String.join(",", columns)).append('\n');
        for (Map<String, Object> r : log) {
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) sb.append(',');
                Object v = r.get(columns.get(i));
                if (v != null) sb.append(v);
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(out.resolve("training_log.csv"), sb.toString());
    }

    @Override
    public void close() {
        stopped.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
