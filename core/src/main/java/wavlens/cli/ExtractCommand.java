package wavlens.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.io.Json;
import wavlens.model.Wav2Vec2;
import wavlens.store.Extractor;

@Command(name = "extract", mixinStandardHelpOptions = true, description = {
        "Runs a model over an aligned corpus and writes a feature store: per layer, frame features (optionally",
        "subsampled per label) and segment-mean features, with labels, utterance ids and times for every row.",
        "Resumable: rerun the same command after an interruption."})
public final class ExtractCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "HuggingFace model folder, or demo:pretrained / demo:finetuned")
    String model;

    @Option(names = "--corpus", required = true, description = "corpus: any layout `wavlens corpus info` reads (README \"Corpora\")")
    Path corpus;

    @Option(names = "--out", required = true, description = "feature store folder")
    Path out;

    @picocli.CommandLine.Mixin
    ExtractOptions store = new ExtractOptions();

    @Option(names = "--label-model", description = "label frames by this fine-tuned CTC model's own predictions (blank kept as <blank>) "
            + "instead of an alignment; \"self\" = the extracted model")
    String labelModel;

    @Option(names = "--limit", defaultValue = "0", description = "extract at most N more utterances in this run, then stop (rerun to go on)")
    int limit;

    @picocli.CommandLine.Mixin
    CorpusColumnOptions columns = new CorpusColumnOptions();

    @Override
    public Integer call() throws Exception {
        return columns.call(this::run);
    }

    private Integer run() {
        try (Wav2Vec2 m = Wav2Vec2.load(ModelPaths.resolve(model));
             Wav2Vec2 labeller = labelModel == null || labelModel.equals("self") ? null : Wav2Vec2.load(ModelPaths.resolve(labelModel))) {
            Wav2Vec2 labels = labelModel == null ? null : labeller != null ? labeller : m;
            Extractor.Summary s = new Extractor(store.toOptions(m.directory(), corpus, out, limit, labels)).run(m);
            if (!s.complete()) {
                System.out.printf("%d of %d utterances extracted so far (%d in this run); rerun the same command to go on%n",
                        s.processed() + s.resumed(), s.utterances(), s.processed());
            }
            System.out.printf("%d utterances (%d extracted now, %d resumed, %d skipped — see %s), %.1f s of audio: %d frames, %d segments in %.1f s "
                            + "(model %.1f s, pipeline overhead %.0f%%) -> %s%n",
                    s.utterances(), s.processed(), s.resumed(), s.skipped(), out.resolve("problems.csv"), s.audioSeconds(), s.frames(), s.segments(),
                    s.seconds(), s.modelSeconds(), s.modelSeconds() > 0 ? 100 * (s.seconds() - s.modelSeconds()) / s.modelSeconds() : 0, out);
            System.out.println(Json.oneLine(wavlens.store.Extractor.summaryJson(s)));
        }
        return 0;
    }
}
