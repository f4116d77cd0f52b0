package wavlens.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.pipeline.Analysis;

@Command(name = "analyze", mixinStandardHelpOptions = true, description = {
        "The whole method: features of both models for the same frames, clusters vs letters per layer, CKA, weight change,",
        "probes, the fine-tuned model's accuracy, and what predicts a letter's accuracy; tables, figures and REPORT/index.html.",
        "A rerun with one changed option recomputes only what depends on it."})
public final class AnalyzeCommand implements Callable<Integer> {
    @Option(names = "--pretrained", required = true, description = "pretrained model folder (or demo:pretrained)")
    String pretrained;

    @Option(names = "--finetuned", required = true, description = "fine-tuned …ForCTC model folder (or demo:finetuned)")
    String finetuned;

    @Option(names = "--corpus", required = true, description = "aligned corpus (folder, Kaldi folder or manifest)")
    Path corpus;

    @Option(names = "--train-text", description = "the fine-tuning data's text, for letter frequencies (default: the corpus's finetune-train transcripts)")
    Path trainText;

    @Option(names = "--layers", defaultValue = "all", description = "all, or hidden_states indices")
    String layers;

    @Option(names = "--out", required = true, description = "report folder")
    Path out;

    @Option(names = "--k", defaultValue = "0", description = "clusters per layer (0 = as many as labels, as in the original study)")
    int k;

    @Option(names = "--euclidean", description = "Euclidean k-means (default: spherical/cosine k-means, as in the original study)")
    boolean euclidean;

    @Option(names = "--restarts", defaultValue = "3", description = "k-means restarts (best inertia kept)")
    int restarts;

    @Option(names = "--seed", defaultValue = "1", description = "seed of every random choice")
    long seed;

    @Option(names = "--max-frames", defaultValue = "300", description = "frames per label to analyse (and segments)")
    int maxFrames;

    @Option(names = "--probe-iterations", defaultValue = "200", description = "L-BFGS iterations of each linear probe")
    int probeIterations;

    @Option(names = "--projection", defaultValue = "tsne", description = "pca, tsne or umap for the 2-D maps")
    String projection;

    @Option(names = "--map-points", defaultValue = "3000", description = "frames drawn on each 2-D map")
    int mapPoints;

    @Option(names = "--exclude-silence", description = "leave silence frames out of clusters, probes and maps")
    boolean excludeSilence;

    @Option(names = "--accuracy", defaultValue = "f1", description = "per-letter accuracy measure: f1, recall or precision")
    String accuracy;

    @Option(names = "--experiment", description = "folder of a finished `wavlens experiment letter-frequency`: adds its verdict, figures and tables as a report section")
    Path experiment;

    @picocli.CommandLine.Mixin
    CorpusColumnOptions columns = new CorpusColumnOptions();

    @Override
    public Integer call() throws Exception {
        return columns.call(this::run);
    }

    private Integer run() {
        Analysis.Result r = new Analysis(new Analysis.Options(ModelPaths.resolve(pretrained), ModelPaths.resolve(finetuned), corpus, trainText, layers, out,
                k, !euclidean, restarts, seed, maxFrames, probeIterations, projection, mapPoints, excludeSilence, accuracy, experiment)).run();
        System.out.printf("report: %s (%d stages run, %d reused, %.1f s)%n", r.report().resolve("index.html"), r.stagesRun(), r.stagesReused(), r.seconds());
        return 0;
    }
}
