package wavlens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Parent of the benchmark subcommands; each prints ratios or rates measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (engine speed, analysis, projections, training, audio decoding).",
        subcommands = {BenchEngineCommand.class, BenchExtractCommand.class, BenchAnalysisCommand.class, BenchProbeCommand.class, BenchProjectCommand.class, BenchTrainCommand.class,
                BenchAudioCommand.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
