package wavlens.spark;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import wavlens.io.UserError;

/**
 * {@code wavlens spark ...}: the commands that run on Apache Spark. The main class of the
 * wavlens-spark jar that a user hands to spark-submit; errors in the user's input are one line,
 * as in the core command line.
 */
@Command(name = "wavlens spark", mixinStandardHelpOptions = true, version = "wavlens-spark 0.1.0",
        description = "wavlens on Apache Spark: extraction, k-means and scoring spread over a cluster.",
        subcommands = {
                CommandLine.HelpCommand.class,
                SparkExtractCommand.class,
                SparkKmeansCommand.class,
                SparkScoreCommand.class,
                SparkBenchCommand.class,
        })
public final class SparkMain implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of main). */
    public static int execute(String... args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        CommandLine cli = new CommandLine(new SparkMain());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (debug) ex.printStackTrace(System.err);
            if (ex instanceof UserError) {
                System.err.println("wavlens: " + ex.getMessage());
                return 2;
            }
            System.err.println("wavlens: internal error: " + ex + (debug ? "" : " (run with --debug for the stack trace)"));
            return 1;
        });
        return cli.execute(rest);
    }
}
