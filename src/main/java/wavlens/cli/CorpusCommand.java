package wavlens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Parent of the corpus subcommands: what a corpus holds, and the built-in synthetic Finnish corpus. */
@Command(name = "corpus", mixinStandardHelpOptions = true, description = "Corpora: inspect one (info) or make the built-in aligned Finnish corpus (synth).",
        subcommands = {CorpusInfoCommand.class, CorpusSynthCommand.class})
public final class CorpusCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
