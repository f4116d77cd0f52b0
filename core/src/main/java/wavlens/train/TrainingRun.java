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
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import wavlens.checkpoint.DType;
import wavlens.io.AtomicFiles;
import wavlens.io.Json;
import wavlens.io.Progress;
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

    /** Writes the model folder's other files (config.json, vocab, preprocessor) beside the checkpoint's tensors. */
    private java.util.function.Consumer<Path> modelFiles = dir -> {};

    /**
     * What makes a checkpoint folder a model folder too: with these files beside its float32
     * model.safetensors (HF tensor names), OUT/checkpoint loads in every command, so an unfinished
     * or paused run can be looked at or trained on from.
     */
    public void modelFiles(java.util.function.Consumer<Path> writer) {
        this.modelFiles = writer;
    }

    private int keepEvery;
    private DType keepDtype = DType.F32;

    /**
     * Also keep the model every `every` steps (0 = never) as its own model folder,
     * OUT/snapshots/step-NNNNNN (tensors in `dtype`, no optimizer state), which the periodic
     * checkpoint overwrites: the ingredients of checkpoint averaging over one run (`wavlens
     * average`, as in Izmailov et al. 2018), and a way to look at the model along the run.
     */
    public void keepEvery(int every, DType dtype) {
        this.keepEvery = every;
        this.keepDtype = dtype;
    }

    /** OUT/snapshots/step-NNNNNN, written as step-NNNNNN.tmp and renamed, so it is whole or absent. */
    public Path snapshot(Params params, long step) {
        Path dir = out.resolve("snapshots").resolve(String.format(java.util.Locale.ROOT, "step-%06d", step));
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            params.save(tmp.resolve("model.safetensors"), keepDtype, Map.of("format", "pt"));
            modelFiles.accept(tmp);
            deleteTree(dir);
            Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return dir;
        } catch (IOException e) {
            throw UserError.inFile(dir, "cannot write the snapshot: " + e.getMessage());
        }
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
            params.save(tmp.resolve("model.safetensors"), DType.F32, Map.of("wavlens", "training checkpoint", "format", "pt"));
            modelFiles.accept(tmp);
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

    /** What a training loop does with each batch (the loop itself is {@link #loop}). */
    public interface Update {
        /**
         * Computes the gradients of one batch into the tensors' grad arrays (zeroing them first)
         * and returns its log columns ("loss" first).
         */
        Map<String, Object> gradients(long step, int[] batch, Random rng);

        /** After the optimizer step: more log columns (e.g. a dev-set score), added to row. */
        default void afterStep(long stepsDone, Map<String, Object> row) {}

        /** The short status shown beside the progress bar. */
        String status(Map<String, Object> row);
    }

    /** Where a loop ended: at step (== the run's steps when complete), or paused by --stop-after. */
    public record Outcome(long step, boolean complete, Map<String, Object> lastRow) {}

    /**
     * The training loop shared by fine-tuning and pretraining: from the checkpoint (if any) to
     * `steps` updates over the data's seeded epochs, each step drawing from its own random source
     * ({@link Seeds#forStep}), clipping the gradient norm, stepping AdamW at the scheduled rate,
     * logging, and checkpointing every saveEvery steps, every 10 minutes, on Ctrl-C (then the
     * process ends with a message) and when stopAfter steps of this run are done; snapshots as
     * {@link #keepEvery} asks.
     */
    public Outcome loop(String task, Params params, AdamW optimizer, LearningRate lr, double clip, TrainingData data, long seed,
                        double batchSeconds, long steps, int saveEvery, long stopAfter, Update update) {
        Position pos = resume(params, optimizer);
        long step = pos == null ? 0 : pos.step(), startStep = step;
        int epoch = pos == null ? 0 : pos.epoch(), batchIndex = pos == null ? 0 : pos.batch();
        if (pos != null) System.err.printf("wavlens: resuming %s at step %d of %d%n", out, step, steps);
        List<int[]> batches = data.epoch(seed, epoch, batchSeconds);
        Map<String, Object> row = Map.of();
        try (Progress progress = Progress.start(task, steps, "step", step)) {
            while (step < steps) {
                if (batchIndex >= batches.size()) {
                    epoch++;
                    batchIndex = 0;
                    batches = data.epoch(seed, epoch, batchSeconds);
                }
                int[] batch = batches.get(batchIndex++);
                long t0 = System.nanoTime();
                Map<String, Object> columns = update.gradients(step, batch, Seeds.forStep(seed, step));
                double norm = AdamW.clipGradNorm(params, clip);
                double rate = lr.at(step);
                optimizer.step(rate);
                step++;
                row = new LinkedHashMap<>();
                row.put("step", step);
                row.putAll(columns);
                row.put("lr", rate);
                row.put("grad_norm", round(norm));
                row.put("utterances", batch.length);
                row.put("seconds", round((System.nanoTime() - t0) / 1e9));
                update.afterStep(step, row);
                log(row);
                progress.message(update.status(row));
                progress.step();
                Position now = new Position(step, epoch, batchIndex);
                if (keepEvery > 0 && step % keepEvery == 0 && step < steps) snapshot(params, step);   // the last step's model is OUT itself
                if (stopRequested()) {
                    checkpoint(params, optimizer, now);
                    writeLog();
                    throw stopAfterCheckpoint(step);
                }
                if (stopAfter > 0 && step - startStep >= stopAfter && step < steps) {
                    // a planned pause (--stop-after): checkpoint and end; the same command resumes
                    checkpoint(params, optimizer, now);
                    writeLog();
                    System.err.printf("wavlens: stopped after %d steps as asked (--stop-after), at step %d of %d; run the same command to go on%n",
                            step - startStep, step, steps);
                    return new Outcome(step, false, row);
                }
                if (step < steps && due(step, saveEvery, 10)) {
                    checkpoint(params, optimizer, now);
                    writeLog();
                }
            }
        }
        writeLog();
        finalPosition = new Position(step, epoch, batchIndex);
        return new Outcome(step, true, row);
    }

    private Position finalPosition;

    /** After a complete loop and the caller's final files: the last checkpoint, so a longer rerun can build on it. */
    public void finish(Params params, AdamW optimizer) {
        if (finalPosition != null) checkpoint(params, optimizer, finalPosition);
    }

    static double round(double x) {
        return Math.round(x * 1e5) / 1e5;
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
