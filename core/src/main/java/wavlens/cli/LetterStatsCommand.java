package wavlens.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.analysis.predict.AccuracyFit;
import wavlens.analysis.predict.LetterStats;
import wavlens.io.Json;

/**
 * `wavlens letter-stats`: one pretrained model's per-letter cluster statistics on a corpus, measured
 * as a fit says ({@link LetterStats}; the same cache as `wavlens rank`), written as M.json for
 * `wavlens rank --models`.
 */
@Command(name = "letter-stats", mixinStandardHelpOptions = true, description = {
        "One pretrained model's per-letter cluster purity and entropy on an aligned corpus, measured at the layer and with",
        "the extraction and clustering settings a fit records (--fit): the input of `wavlens rank --models`."})
public final class LetterStatsCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "pretrained HF model folder, or demo:pretrained") String model;
    @Option(names = "--corpus", required = true, description = "aligned corpus (the fit's letters)") Path corpus;
    @Option(names = "--fit", required = true, description = "FIT.json whose measurement settings to use") Path fit;
    @Option(names = "--out", required = true, description = "M.json to write") Path out;
    @Option(names = "--name", description = "the model's name in rankings (default: demo:NAME or the folder's name)") String name;
    @Option(names = "--cache", description = "feature-store cache (default ~/.cache/wavlens, or $XDG_CACHE_HOME/wavlens)") Path cache;

    @Override
    public Integer call() {
        AccuracyFit relation = AccuracyFit.read(fit);
        Path dir = ModelPaths.resolve(model);
        String shown = name != null ? name : model.startsWith("demo:") ? model : dir.toAbsolutePath().normalize().getFileName().toString();
        long t0 = System.nanoTime();
        LetterStats.Result r = LetterStats.compute(shown, dir, corpus, relation, cache != null ? cache : RankCommand.defaultCache());
        Json.write(out, r.toMap());
        System.out.printf(Locale.ROOT, "%s: %d letters, %d frames, layer %s (%s, %.1f s)%n", out, r.letters().size(), r.frames(), relation.layer(),
                r.reused() ? "reused from the cache" : "measured", (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
