package wavlens.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wavlens.model.Preprocessor;
import wavlens.model.Speech;
import wavlens.model.Vocabulary;
import wavlens.model.Wav2Vec2;

@Command(name = "transcribe", mixinStandardHelpOptions = true, description = "Greedy CTC transcription: prints FILE<TAB>TEXT per audio file.")
public final class TranscribeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "HuggingFace model folder (…ForCTC with vocab.json), or demo:finetuned")
    String model;

    @Parameters(arity = "1..*", paramLabel = "AUDIO", description = "WAV or FLAC files (any rate, any channel count)")
    List<Path> audio;

    @Override
    public Integer call() {
        try (Wav2Vec2 m = Wav2Vec2.load(ModelPaths.resolve(model))) {
            if (!m.hasCtcHead()) {
                throw new wavlens.io.UserError(m.directory() + ": this model has no CTC head (lm_head); transcribe needs a fine-tuned …ForCTC model");
            }
            Vocabulary vocab = Vocabulary.read(m.directory(), m.config());
            Preprocessor pre = Preprocessor.read(m.directory(), m.config());
            for (Path file : audio) {
                Wav2Vec2.Output out = m.forward(Speech.inputValues(file, pre, m.config()), Wav2Vec2.Request.lastOnly(m.config()));
                String text = vocab.decode(Vocabulary.argmax(out.logits(), out.frames(), m.vocabSize()));
                System.out.println(file + "\t" + text);
                System.out.flush();
            }
        }
        return 0;
    }
}
