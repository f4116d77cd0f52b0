package wavlens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.corpus.synth.CorpusSynthesizer;
import wavlens.io.Json;
import wavlens.io.UserError;
import wavlens.pipeline.Analysis;

@Command(name = "demo", mixinStandardHelpOptions = true, description = {
        "The whole method on the built-in default: synthesizes the aligned Finnish corpus (espeak-ng and Festival/Suopuhe),",
        "runs the project's own demo models (demo:pretrained, pretrained here with `wavlens pretrain`, and demo:finetuned,",
        "fine-tuned from it with `wavlens finetune`) over it and writes the full report: OUT/report/index.html.",
        "The corpus uses the seed the demo models were trained with, so its dev and test splits hold sentences and voices",
        "the models never heard. Rerunning reuses the corpus and every finished stage."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "demo-out", description = "output folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--utterances", defaultValue = "400", description = "size of the synthesized corpus (default ${DEFAULT-VALUE})")
    int utterances;

    @Option(names = "--projection", defaultValue = "tsne", description = "pca, tsne or umap for the 2-D maps (default ${DEFAULT-VALUE})")
    String projection;

    /** The seed of the corpus the demo models were trained on (models/README.md): the splits must match. */
    static final long CORPUS_SEED = 1;

    @Override
    public Integer call() {
        Path pretrained = ModelPaths.resolve("demo:pretrained"), finetuned = ModelPaths.resolve("demo:finetuned");
        Path corpus = out.resolve("corpus");
        Path description = corpus.resolve("corpus.json");
        if (Files.exists(description)) {
            JsonNode d = Json.read(description);
            if (d.path("seed").asLong() != CORPUS_SEED || d.path("utterances").asInt() != utterances) {
                throw UserError.inFile(corpus, "holds a corpus of other settings (seed " + d.path("seed").asLong() + ", "
                        + d.path("utterances").asInt() + " utterances); remove it or give another --out");
            }
            System.err.println("wavlens: reusing the corpus in " + corpus);
        } else {
            if (Files.exists(corpus)) throw UserError.inFile(corpus, "exists but is no finished corpus (no corpus.json); remove it and rerun");
            System.err.printf("wavlens: synthesizing %d utterances of Finnish speech into %s%n", utterances, corpus);
            CorpusSynthesizer.run(CorpusSynthesizer.Options.of(corpus, utterances, CORPUS_SEED).withProgress(System.err));
        }
        Path experiment = pretrained.getParent().resolve("demo-experiment");
        Analysis.Result r = new Analysis(new Analysis.Options(pretrained, finetuned, corpus, null, "all", out.resolve("report"),
                0, true, 3, 1, 300, 200, projection, 3000, false, "f1",
                Files.isRegularFile(experiment.resolve("experiment.json")) ? experiment : null)).run();
        Path index = r.report().resolve("index.html");
        System.out.printf(Locale.ROOT, "report: %s (%d stages run, %d reused, %.1f s)%n", index, r.stagesRun(), r.stagesReused(), r.seconds());
        System.out.printf("open it in a browser, or serve it with the interactive explorer: ./wavlens serve %s%n", r.report());
        return 0;
    }
}
