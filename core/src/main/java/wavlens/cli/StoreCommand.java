package wavlens.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.store.StoreImport;

/** Feature-store utilities. */
@Command(name = "store", mixinStandardHelpOptions = true, description = "Feature stores: import features made elsewhere.", subcommands = {StoreCommand.Import.class})
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
}
