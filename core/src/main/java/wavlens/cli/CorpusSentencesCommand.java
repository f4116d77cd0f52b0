package wavlens.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wavlens.corpus.synth.SentenceHarvester;
import wavlens.io.AtomicFiles;
import wavlens.io.UserError;

/**
 * {@code wavlens corpus sentences --out FILE INPUT...}: speakable Finnish sentences from HTML, text
 * or gettext .mo files, one a line, for {@code corpus synth --training-text} (see {@link SentenceHarvester}).
 */
@Command(name = "sentences", mixinStandardHelpOptions = true,
        description = {
                "Collect speakable Finnish sentences from HTML (<p> elements), plain-text or gettext .mo files and folders into FILE, "
                        + "one a line, sorted and unique: for 'corpus synth --training-text FILE'.",
                "Kept: a capital first, only Finnish letters, spaces and , : ; before the final . ? or !, --min-words to "
                        + "--max-words words, no common English word, at least 80 %% of words ending as Finnish words do.",
                "E.g. the Finnish LibreOffice help: apt-get download libreoffice-help-fi; dpkg-deb -x libreoffice-help-fi_*.deb lo; "
                        + "wavlens corpus sentences --out fi.txt lo/usr/share/libreoffice/help/fi/text"})
public final class CorpusSentencesCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the sentence file to write")
    Path out;

    @Option(names = "--min-words", defaultValue = "4", paramLabel = "N", description = "fewest words in a sentence (default ${DEFAULT-VALUE})")
    int minWords;

    @Option(names = "--max-words", defaultValue = "14", paramLabel = "N", description = "most words in a sentence (default ${DEFAULT-VALUE})")
    int maxWords;

    @Parameters(arity = "1..*", paramLabel = "INPUT", description = ".html/.htm/.xhtml/.txt/.mo files, or folders searched for them")
    List<Path> inputs;

    @Override
    public Integer call() {
        SentenceHarvester.Result result = SentenceHarvester.harvest(inputs, minWords, maxWords);
        if (result.sentences().isEmpty()) {
            throw new UserError("no Finnish sentences found in " + result.files() + " files under " + inputs);
        }
        AtomicFiles.writeString(out, String.join("\n", result.sentences()) + "\n");
        System.out.printf("%d sentences from %d files -> %s%n", result.sentences().size(), result.files(), out);
        return 0;
    }
}
