package wavlens.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import wavlens.corpus.Corpus;
import wavlens.corpus.Problem;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.model.Wav2Vec2;
import wavlens.model.Wav2Vec2Config;

/**
 * A sharded feature store, as {@code wavlens spark extract} writes it:
 *
 * <pre>
 * STORE/store.json            a single-file store's store.json plus "layout": "sharded", "shard_utterances"
 *                             and "shards": ["shards/part-00000", ...] in store-row order (written last, at job commit)
 * STORE/problems.csv          the problems found while planning (corpus, alignments), before any shard ran
 * STORE/shards/part-NNNNN/    a complete single-file store of a contiguous run of the planned utterances, rows from 0
 * STORE/shards/_attempts/     task attempts being written (removed at job commit)
 * </pre>
 *
 * Global row = rows of the earlier shards + the shard's own row; {@link #compact} writes that
 * order, which is single-machine {@code wavlens extract}'s order, byte for byte.
 */
public final class ShardedStore {
    public static final String LAYOUT = "sharded";
    /** store.json keys only a sharded store has; compact drops them. */
    static final List<String> SHARDED_KEYS = List.of("layout", "shard_utterances", "shards");

    private ShardedStore() {}

    public static String shardName(int index) {
        return String.format("shards/part-%05d", index);
    }

    public static Path shard(Path root, int index) {
        return root.resolve(shardName(index));
    }

    /** A folder unique to one task attempt, beside the shards; {@link #commitShard} renames it into place. */
    public static Path attempt(Path root, int index, String attemptId) {
        return root.resolve("shards/_attempts").resolve(String.format("part-%05d.%s", index, attemptId));
    }

    /** A shard is committed once its folder exists under its final name (it appears only by rename, whole). */
    public static boolean committed(Path root, int index) {
        return Files.exists(shard(root, index).resolve("store.json"));
    }

    /**
     * Task commit: renames a finished attempt folder to the shard's name. The rename of a folder is
     * atomic and fails onto an existing non-empty folder (POSIX rename(2), HDFS rename), so the first
     * attempt to finish wins and a retried or speculative duplicate is discarded; all attempts
     * write the same bytes (the shard is a function of the corpus, model and plan), so which one
     * wins does not matter. Returns false when another attempt had already committed.
     */
    public static boolean commitShard(Path attempt, Path shard) {
        try {
            Files.createDirectories(shard.getParent());
            Files.move(attempt, shard, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            Extractor.deleteTree(attempt);
            return false;
        } catch (IOException e) {
            if (Files.exists(shard.resolve("store.json"))) {
                Extractor.deleteTree(attempt);
                return false;
            }
            throw UserError.inFile(shard, "cannot commit the shard: " + e.getMessage());
        }
    }

    /**
     * Job start: creates the store (store.json with "complete": false and the parameters), or checks
     * that an existing one has the same parameters and shard size, to resume it. Returns true when
     * it is complete already.
     */
    public static boolean begin(Path root, ObjectNode fingerprint, int shardUtterances, boolean overwrite) {
        Path json = root.resolve("store.json");
        if (Files.exists(json)) {
            JsonNode old = Json.read(json);
            boolean same = Json.oneLine(old.path("parameters")).equals(Json.oneLine(fingerprint))
                    && LAYOUT.equals(old.path("layout").asText()) && old.path("shard_utterances").asInt() == shardUtterances;
            if (!same) {
                if (!overwrite) {
                    throw UserError.inFile(root, "holds a store made with other parameters or shard size; choose another --out or pass --overwrite");
                }
                Extractor.deleteTree(root);
            } else if (old.path("complete").asBoolean(false)) {
                if (!overwrite) return true;
                Extractor.deleteTree(root);
            } else {
                return false;   // resume: committed shards stay
            }
        } else if (Files.isDirectory(root)) {
            try (var s = Files.list(root)) {
                if (s.findAny().isPresent()) throw UserError.inFile(root, "exists and is not a wavlens feature store; choose an empty or new folder");
            } catch (IOException e) {
                throw UserError.inFile(root, "cannot list: " + e.getMessage());
            }
        }
        ObjectNode store = Json.MAPPER.createObjectNode();
        store.set("parameters", fingerprint);
        store.put("complete", false);
        store.put("layout", LAYOUT);
        store.put("shard_utterances", shardUtterances);
        Json.write(json, store);
        return false;
    }

    /**
     * Job commit, once every shard is committed: problems.csv (the planning problems) and store.json
     * (totals over the shards, the shard list), written last.
     */
    public static void finish(Path root, Extractor.Plan plan, Wav2Vec2Config config, int shardUtterances, int shardCount,
                              long[] frameCounts, long[] segmentCounts) {
        long frames = 0, segments = 0, problems = plan.problems().size();
        ArrayNode names = Json.MAPPER.createArrayNode();
        for (int i = 0; i < shardCount; i++) {
            if (!committed(root, i)) throw UserError.inFile(shard(root, i), "is missing: the job has not finished this shard");
            JsonNode s = Json.read(shard(root, i).resolve("store.json"));
            frames += s.path("frames").asLong();
            segments += s.path("segments").asLong();
            problems += s.path("problems").asLong();
            names.add(shardName(i));
        }
        List<List<?>> rows = new ArrayList<>();
        for (Problem p : plan.problems()) rows.add(List.of(p.file(), p.reason()));
        Csv.write(root.resolve("problems.csv"), List.of("file", "reason"), rows);
        ObjectNode store = Extractor.storeSummary(plan.fingerprint(), config, plan.size(), frames, segments, plan.inventory(), frameCounts,
                segmentCounts, problems);
        store.put("layout", LAYOUT);
        store.put("shard_utterances", shardUtterances);
        store.set("shards", names);
        Json.write(root.resolve("store.json"), store);
        Extractor.deleteTree(root.resolve("shards/_attempts"));
    }

    /** A shard still to write: its number and what goes into it. Serializable: Spark ships it to an executor. */
    public record PendingShard(int index, ShardSpec spec) implements java.io.Serializable {}

    /** Runs the pending shards somewhere (in this JVM, or on a Spark cluster): each through {@link #writeShard}. */
    public interface ShardRunner {
        void run(List<PendingShard> pending);
    }

    /** What a sharded extraction did. */
    public record Result(int utterances, int shards, int shardsWritten, int shardsResumed, long frames, long segments, double audioSeconds,
                         boolean alreadyComplete) {}

    /**
     * The driver's side of a sharded extraction: plan (alignments only, in corpus order), create or
     * resume the store, hand the shards not yet committed to the runner, and commit the job once all
     * are there. The model is opened for its config and preprocessor; its weights are not read here.
     */
    public static Result extract(Extractor.Options opt, Wav2Vec2 model, int shardUtterances, ShardRunner runner) {
        if (shardUtterances < 1) throw new UserError("--shard-utterances must be at least 1");
        if (opt.labelModel() != null) throw new UserError("--label-model is not supported by a sharded extraction yet; use `wavlens extract`");
        if (opt.limit() > 0) throw new UserError("--limit is not supported by a sharded extraction (stop the job instead: a rerun resumes)");
        Path root = opt.out();
        Extractor.Plan plan = new Extractor(opt).plan(model, Corpus.open(opt.corpus()));
        int shards = shardCount(plan.size(), shardUtterances);
        if (begin(root, plan.fingerprint(), shardUtterances, opt.overwrite())) {
            JsonNode done = Json.read(root.resolve("store.json"));
            return new Result(plan.size(), shards, 0, shards, done.path("frames").asLong(), done.path("segments").asLong(), plan.audioSeconds(), true);
        }
        List<PendingShard> pending = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            if (!committed(root, i)) pending.add(new PendingShard(i, plan.shard(i * shardUtterances, Math.min(plan.size(), (i + 1) * shardUtterances))));
        }
        if (!pending.isEmpty()) runner.run(pending);
        ShardSpec all = plan.shard(0, 0);
        finish(root, plan, model.config(), shardUtterances, shards, all.frameCounts(), all.segmentCounts());
        JsonNode done = Json.read(root.resolve("store.json"));
        return new Result(plan.size(), shards, pending.size(), shards - pending.size(), done.path("frames").asLong(), done.path("segments").asLong(),
                plan.audioSeconds(), false);
    }

    /**
     * The worker's side: one shard written into an attempt-unique folder, then committed by rename
     * ({@link #commitShard}). opt.out() is the store's root. Returns the shard's summary.
     */
    public static Extractor.ShardSummary writeShard(Extractor.Options opt, Wav2Vec2 model, Corpus corpus, PendingShard shard, String attemptId) {
        Path root = opt.out();
        Path attempt = attempt(root, shard.index(), attemptId);
        Extractor.deleteTree(attempt);   // a leftover of an attempt with this id that died
        Extractor.Options here = new Extractor.Options(opt.model(), opt.corpus(), attempt, opt.layers(), opt.maxPerLabel(), opt.pool(), opt.half(),
                opt.tier(), opt.seed(), opt.excludeSilence(), opt.excludeUnknown(), false, 0, null, opt.split());
        Extractor.ShardSummary summary = new Extractor(here).extractShard(model, corpus, shard.spec());
        commitShard(attempt, shard(root, shard.index()));
        return summary;
    }

    /** Number of shards for a plan of n utterances in runs of shardUtterances. */
    public static int shardCount(int n, int shardUtterances) {
        return (n + shardUtterances - 1) / shardUtterances;
    }

    /**
     * {@code wavlens store compact}: the single-file layout of a sharded store — shards' CSVs
     * concatenated with rows renumbered, layers concatenated shard by shard (streamed), store.json
     * without the sharded keys. Returns the number of frame rows.
     */
    public static long compact(Path sharded, Path out) {
        FeatureStore in = FeatureStore.open(sharded);
        if (!in.sharded()) throw UserError.inFile(sharded, "is a single-file store already");
        if (Files.exists(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent()) throw UserError.inFile(out, "exists and is not empty; choose a new folder");
            } catch (IOException e) {
                throw UserError.inFile(out, "cannot list: " + e.getMessage());
            }
        }
        boolean half = "f16".equals(in.json().path("parameters").path("dtype").asText());
        long frames = 0;
        for (String pool : List.of("frames", "segments")) {
            Path first = in.shardRoots().get(0).resolve(pool);
            if (!Files.isDirectory(first)) continue;
            FeatureStore.Rows rows = pool.equals("frames") ? in.frames() : in.segments();
            rows.writeCsv(out.resolve(pool).resolve("rows.csv"));
            if (pool.equals("frames")) frames = rows.size();
            List<String> layers = new ArrayList<>();
            try (var s = Files.list(first)) {
                s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("layer_") && n.endsWith(".npy")).sorted().forEach(layers::add);
            } catch (IOException e) {
                throw UserError.inFile(first, "cannot list: " + e.getMessage());
            }
            for (String name : layers) {
                int dim = Npy.read(first.resolve(name)).shape()[1];
                try (Npy.RowWriter w = new Npy.RowWriter(out.resolve(pool).resolve(name), rows.size(), dim, half)) {
                    for (Path shard : in.shardRoots()) {
                        float[] part = Npy.read(shard.resolve(pool).resolve(name)).asFloats();
                        w.write(part, 0, part.length);
                    }
                }
            }
        }
        List<List<String>> utts = in.utterances();
        Csv.write(out.resolve("utterances.csv"), utts.get(0), utts.subList(1, utts.size()));
        List<List<String>> problems = in.problems();
        Csv.write(out.resolve("problems.csv"), problems.get(0), problems.subList(1, problems.size()));
        ObjectNode json = in.json().deepCopy();
        SHARDED_KEYS.forEach(json::remove);
        Json.write(out.resolve("store.json"), json);   // last, as extract writes it
        return frames;
    }
}
