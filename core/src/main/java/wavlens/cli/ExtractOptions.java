package wavlens.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import wavlens.io.UserError;
import wavlens.model.Wav2Vec2;
import wavlens.store.Extractor;

/**
 * The options that say what a feature store holds, shared by {@code wavlens extract} and
 * {@code wavlens spark extract} (a picocli mixin), so both make the same store from the same words.
 * Serializable: the Spark job ships it to the executors, which rebuild the extraction options.
 */
public final class ExtractOptions implements java.io.Serializable {
    @Option(names = "--layers", defaultValue = "all", description = "all, or hidden_states indices like 0,6,12")
    String layers;

    @Option(names = "--max-frames", defaultValue = "0", description = "at most about N frames (and N segments) per label; 0 = keep all")
    int maxFrames;

    @Option(names = "--pool", defaultValue = "both", description = "frame, segment or both")
    String pool;

    @Option(names = "--dtype", defaultValue = "f32", description = "f32 or f16 for the stored features")
    String dtype;

    @Option(names = "--tier", description = "alignment tier to label with (default: letters, else phones, else words)")
    String tier;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the per-label subsampling")
    long seed;

    @Option(names = "--exclude-silence", description = "do not store silence frames/segments")
    boolean excludeSilence;

    @Option(names = "--exclude-unknown", description = "do not store frames labelled <unk>")
    boolean excludeUnknown;

    @Option(names = "--overwrite", description = "replace a store made with other parameters")
    boolean overwrite;

    @Option(names = "--split", description = "only utterances of this split: the corpus's own (Common Voice train/dev/test/validated, LibriSpeech dev-clean, Hugging Face train/validation/test, ...), else the first folder of their id (pretraining, finetune-train, dev, test)")
    String split;

    /** The extraction these options describe; one line for a wrong --pool, --dtype or --max-frames. */
    public Extractor.Options toOptions(Path model, Path corpus, Path out, int limit, Wav2Vec2 labelModel) {
        Extractor.Pool p = switch (pool) {
            case "frame" -> Extractor.Pool.FRAME;
            case "segment" -> Extractor.Pool.SEGMENT;
            case "both" -> Extractor.Pool.BOTH;
            default -> throw new UserError("--pool must be frame, segment or both, not " + pool);
        };
        if (!dtype.equals("f32") && !dtype.equals("f16")) throw new UserError("--dtype must be f32 or f16, not " + dtype);
        if (maxFrames < 0) throw new UserError("--max-frames must be 0 (keep all) or positive");
        return new Extractor.Options(model, corpus, out, layers, maxFrames, p, dtype.equals("f16"), tier, seed, excludeSilence, excludeUnknown,
                overwrite, limit, labelModel, split);
    }
}
