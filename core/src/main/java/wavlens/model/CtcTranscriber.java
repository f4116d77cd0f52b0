package wavlens.model;

import java.nio.file.Path;
import wavlens.io.UserError;

/**
 * A fine-tuned …ForCTC model with its vocabulary and preprocessor: greedy CTC transcripts
 * (per frame the most likely token, repeats merged, blanks dropped) of input values.
 */
public final class CtcTranscriber implements AutoCloseable {
    public final Wav2Vec2 model;
    public final Vocabulary vocabulary;
    public final Preprocessor preprocessor;

    /** @param command the command's name for the error when the model has no CTC head */
    public CtcTranscriber(Path modelDir, String command) {
        model = Wav2Vec2.load(modelDir);
        if (!model.hasCtcHead()) {
            model.close();
            throw new UserError(modelDir + ": this model has no CTC head (lm_head); " + command + " needs a fine-tuned …ForCTC model");
        }
        vocabulary = Vocabulary.read(model.directory(), model.config());
        preprocessor = Preprocessor.read(model.directory(), model.config());
    }

    /** The greedy transcript of one utterance's input values (HF input_values at the model's rate). */
    public String transcribe(float[] inputValues) {
        Wav2Vec2.Output out = model.forward(inputValues, Wav2Vec2.Request.lastOnly(model.config()));
        return vocabulary.decode(Vocabulary.argmax(out.logits(), out.frames(), model.vocabSize()));
    }

    @Override
    public void close() {
        model.close();
    }
}
