package wavlens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Parent of the corpus subcommands: what a corpus holds, and the built-in synthetic Finnish corpus. */
@Command(name = "corpus", mixinStandardHelpOptions = true, description = "Corpora: inspect one (info), make the built-in aligned Finnish corpus (synth), collect Finnish sentences for it (sentences).",
        subcommands = {CorpusInfoCommand.class, CorpusSynthCommand.class, CorpusSentencesCommand.class})
public final class CorpusCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
