package wavlens.spark;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.cli.CorpusColumnOptions;
import wavlens.cli.ExtractOptions;
import wavlens.corpus.Columns;
import wavlens.io.Json;
import wavlens.io.Progress;
import wavlens.io.UserError;
import wavlens.model.Wav2Vec2;
import wavlens.store.Extractor;
import wavlens.store.ShardedStore;

/**
 * {@code wavlens spark extract}: {@code wavlens extract} spread over a Spark cluster. The driver
 * plans (reads the alignments, fixes the label inventory and the budget's counts, in corpus
 * order), cuts the planned utterances into shards of --shard-utterances, and runs one task per
 * shard not yet committed; each task opens the model once per executor JVM (memory-mapped from
 * the shared path), extracts its utterances into a complete single-file store in an
 * attempt-unique folder and commits it by rename ({@link ShardedStore#commitShard}). The driver
 * writes store.json last. Per task the driver does no more than schedule it and count its bytes
 * of result (a few numbers), so throughput grows with executors until the shared storage is the
 * limit.
 */
@Command(name = "extract", mixinStandardHelpOptions = true, description = {
        "Runs a model over an aligned corpus on a Spark cluster and writes a sharded feature store (one shard per task;",
        "`wavlens store compact` makes it the single-file layout, byte for byte what `wavlens extract` writes).",
        "Every command that reads a store reads the sharded one as it is. Resumable: rerun the same command."})
public final class SparkExtractCommand implements Callable<Integer> {
    @Option(names = "--master", description = "spark://HOST:7077, yarn, k8s://https://HOST:443 or local[N]; default: what spark-submit set")
    String master;

    @Option(names = "--model", required = true, description = "HuggingFace model folder every executor can read (path or file: URI), or demo:NAME")
    String model;

    @Option(names = "--corpus", required = true, description = "corpus folder, Kaldi data folder or TSV manifest every executor can read")
    String corpus;

    @Option(names = "--out", required = true, description = "feature store folder on storage every executor can write")
    String out;

    @picocli.CommandLine.Mixin
    ExtractOptions store = new ExtractOptions();

    @picocli.CommandLine.Mixin
    CorpusColumnOptions columns = new CorpusColumnOptions();

    @Option(names = "--shard-utterances", defaultValue = "64", description = "utterances per shard (= per task); part of the store's identity")
    int shardUtterances;

    @Option(names = "--parquet", description = "also write STORE/parquet/frames and STORE/parquet/segments (one row per frame or segment, layers as array<float>)")
    boolean parquet;

    @Option(names = "--conf", description = "KEY=VALUE Spark setting (repeatable), e.g. spark.executor.memory=4g")
    Map<String, String> conf = new LinkedHashMap<>();

    /**
     * What a task needs to rebuild the extraction options and open the corpus as the driver did
     * (paths as strings: Path is not serializable; the column flags, since they reach Corpus.open
     * through a scoped value that does not cross to the executors).
     */
    record Job(String model, String corpus, String out, ExtractOptions store, Columns columns) implements java.io.Serializable {
        Extractor.Options options() {
            return store.toOptions(Path.of(model), Path.of(corpus), Path.of(out), 0, null);
        }
    }

    @Override
    public Integer call() throws Exception {
        return columns.call(this::run);
    }

    private Integer run() {
        Path modelDir = SparkPaths.local(model, "the model");
        Path corpusDir = SparkPaths.local(corpus, "the corpus");
        Path outDir = SparkPaths.local(out, "the store");
        Job job = new Job(modelDir.toString(), corpusDir.toString(), outDir.toString(), store, columns.columns());
        job.options();   // a wrong --pool, --dtype or --max-frames is one line before Spark starts
        long start = System.nanoTime();
        // the driver opens the model for its config (and to say at once if it cannot be read); the weights stay unread here
        ShardedStore.Result r;
        SparkContext[] spark = new SparkContext[1];
        try (Wav2Vec2 m = Wav2Vec2.load(modelDir)) {
            r = ShardedStore.extract(job.options(), m, shardUtterances, pending -> {
                spark[0] = SparkSessions.context(master, "wavlens extract " + job.out(), withTaskCpus(master, conf));
                runShards(spark[0], job, pending);
            });
            if (parquet) {
                SparkSession session = SparkSessions.session(master, "wavlens extract " + job.out(), withTaskCpus(master, conf));
                spark[0] = session.sparkContext();
                ParquetExport.write(session, outDir);
            }
        } finally {
            if (spark[0] != null) spark[0].stop();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%d utterances in %d shards (%d written now, %d kept from an earlier run), %.1f s of audio: %d frames, %d segments in %.1f s"
                        + " (%.1f× real time) -> %s%n", r.utterances(), r.shards(), r.shardsWritten(), r.shardsResumed(), r.audioSeconds(),
                r.frames(), r.segments(), seconds, r.audioSeconds() / seconds, outDir);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("utterances", r.utterances());
        summary.put("shards", r.shards());
        summary.put("shards_written", r.shardsWritten());
        summary.put("shards_resumed", r.shardsResumed());
        summary.put("frames", r.frames());
        summary.put("segments", r.segments());
        summary.put("audio_seconds", r.audioSeconds());
        summary.put("seconds", seconds);
        System.out.println(Json.oneLine(summary));
        return 0;
    }

    /**
     * The engine spreads one forward pass over every core (OpenBLAS threads, the fork-join pool), so
     * an executor runs best one shard at a time with all its cores: on local[N] a task takes the N
     * cores unless spark.task.cpus is given (two passes at once on two cores ran 1.6× slower here).
     */
    static Map<String, String> withTaskCpus(String master, Map<String, String> conf) {
        Map<String, String> out = new LinkedHashMap<>(conf);
        if (master != null && master.startsWith("local[") && !conf.containsKey("spark.task.cpus")) {
            String n = master.substring("local[".length(), master.indexOf(']') < 0 ? master.length() : master.indexOf(']')).split(",")[0];
            int cores = n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n.trim());
            out.put("spark.task.cpus", Integer.toString(cores));
        }
        return out;
    }

    private static void runShards(SparkContext context, Job job, List<ShardedStore.PendingShard> pending) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(context);
        double audio = pending.stream().mapToDouble(p -> p.spec().audioSeconds()).sum();
        try (Progress bar = Progress.start("spark extract", Math.round(audio), "audio-s")) {
            SparkListener listener = new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    int i = end.taskInfo().index();
                    if (end.taskInfo().successful() && i < pending.size()) bar.stepBy(Math.round(pending.get(i).spec().audioSeconds()));
                }
            };
            sc.sc().addSparkListener(listener);
            try {
                sc.parallelize(pending, pending.size()).map(shard -> runShard(job, shard)).collect();
            } catch (Exception e) {   // Scala throws the checked SparkException undeclared
                if (e instanceof SparkException se) throw SparkSessions.unwrap(se);
                throw e;
            } finally {
                sc.sc().removeSparkListener(listener);
            }
        }
    }

    /** One task: the shard into an attempt-unique folder, committed by rename. Runs on an executor. */
    static Extractor.ShardSummary runShard(Job job, ShardedStore.PendingShard shard) {
        TaskContext ctx = TaskContext.get();
        String attempt = ctx == null ? "local" : "stage" + ctx.stageId() + "." + ctx.stageAttemptNumber() + "-task" + ctx.taskAttemptId();
        Wav2Vec2 model;
        try {
            model = WorkerCache.model(Path.of(job.model()));
        } catch (UserError e) {
            String where = SparkEnv.get() == null ? "" : " (on executor " + SparkEnv.get().executorId() + ", host " + hostName() + ")";
            throw new UserError(e.getMessage() + where);
        }
        return ShardedStore.writeShard(job.options(), model, WorkerCache.corpus(Path.of(job.corpus()), job.columns()), shard, attempt);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

}
