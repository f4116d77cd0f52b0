package wavlens.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.store.StoreImport;

/** Feature-store utilities. */
@Command(name = "store", mixinStandardHelpOptions = true, description = "Feature stores: import features made elsewhere; compact a sharded store.",
        subcommands = {StoreCommand.Import.class, StoreCommand.Compact.class})
public final class StoreCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = {
            "Imports features made elsewhere into the store layout: a rows CSV (columns utt, label; optional frame, time,",
            "speaker, gender, age, split) and one rows × dim .npy per layer, row r of each file being row r of the CSV."})
    static final class Import implements Callable<Integer> {
        @Option(names = "--rows", required = true, description = "CSV with one row per feature vector")
        Path rows;

        @Option(names = "--layer", required = true, description = "I=FILE.npy for hidden_states index I (-1 = extract_features); repeatable")
        Map<Integer, Path> layers;

        @Option(names = "--pool", defaultValue = "frames", description = "frames or segments")
        String pool;

        @Option(names = "--out", required = true, description = "new store folder")
        Path out;

        @Override
        public Integer call() {
            int n = StoreImport.run(rows, layers, pool, out);
            System.out.println("imported " + n + " rows × " + layers.size() + " layers -> " + out);
            return 0;
        }
    }

    @Command(name = "compact", mixinStandardHelpOptions = true, description = {
            "Writes a sharded store (from `wavlens spark extract`) in the single-file layout: the same files, byte for byte,",
            "as `wavlens extract` writes for the same options and corpus."})
    static final class Compact implements Callable<Integer> {
        @CommandLine.Parameters(index = "0", paramLabel = "SHARDED", description = "sharded store folder")
        Path sharded;

        @Option(names = "--out", required = true, description = "new store folder")
        Path out;

        @Override
        public Integer call() {
            long frames = wavlens.store.ShardedStore.compact(sharded, out);
            System.out.println("compacted " + sharded + " (" + frames + " frame rows) -> " + out);
            return 0;
        }
    }
}
