package wavlens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import wavlens.io.UserError;

/**
 * The wavlens command line. Every subcommand is a class of its own in this package; errors in the
 * user's input arrive here as {@link UserError} and are printed as one line (the stack trace only
 * with --debug).
 */
@Command(name = "wavlens", mixinStandardHelpOptions = true, version = "wavlens 0.1.0",
        description = "Look inside wav2vec2-family speech models: layer features, clusters vs letters, what fine-tuning changed.",
        subcommands = {
                CommandLine.HelpCommand.class,
                TranscribeCommand.class,
                EmbedCommand.class,
                CorpusCommand.class,
                ExtractCommand.class,
                AnalyzeCommand.class,
                AlignCommand.class,
                StoreCommand.class,
                KmeansCommand.class,
                ScoreCommand.class,
                CkaCommand.class,
                ProjectCommand.class,
                RankCommand.class,
                LetterStatsCommand.class,
                ServeCommand.class,
                DemoCommand.class,
                PretrainCommand.class,
                FinetuneCommand.class,
                AverageCommand.class,
                EvaluateCommand.class,
                ExperimentCommand.class,
                BenchCommand.class,
        })
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of main). */
    public static int execute(String... args) {
        boolean debug = false;
        for (String a : args) if (a.equals("--debug")) debug = true;
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        final boolean showTrace = debug;
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            Throwable cause = ex;
            if (showTrace) ex.printStackTrace(System.err);
            if (cause instanceof UserError) {
                System.err.println("wavlens: " + cause.getMessage());
                return 2;
            }
            if (cause instanceof OutOfMemoryError) {
                System.err.println("wavlens: out of memory — raise the heap with WAVLENS_JAVA_OPTS=-Xmx16g or use fewer/shorter inputs");
                return 3;
            }
            System.err.println("wavlens: internal error: " + cause + (showTrace ? "" : " (run with --debug for the stack trace)"));
            return 1;
        });
        return cli.execute(rest);
    }
}
