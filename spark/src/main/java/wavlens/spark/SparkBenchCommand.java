package wavlens.spark;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** wavlens spark bench …: benchmarks of the Spark commands, each printing ratios measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks of the Spark commands.",
        subcommands = {SparkBenchKmeansCommand.class})
public final class SparkBenchCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
