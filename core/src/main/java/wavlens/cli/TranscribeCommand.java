package wavlens.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wavlens.model.Speech;
import wavlens.model.CtcTranscriber;

@Command(name = "transcribe", mixinStandardHelpOptions = true, description = "Greedy CTC transcription: prints FILE<TAB>TEXT per audio file.")
public final class TranscribeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "HuggingFace model folder (…ForCTC with vocab.json), or demo:finetuned")
    String model;

    @Parameters(arity = "1..*", paramLabel = "AUDIO", description = "WAV or FLAC files (any rate, any channel count)")
    List<Path> audio;

    @Override
    public Integer call() {
        try (CtcTranscriber t = new CtcTranscriber(ModelPaths.resolve(model), "transcribe")) {
            for (Path file : audio) {
                System.out.println(file + "\t" + t.transcribe(Speech.inputValues(file, t.preprocessor, t.model.config())));
                System.out.flush();
            }
        }
        return 0;
    }
}
