package wavlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import wavlens.train.FineTuning;

class FinetuneCommandTest {
    static final String MODEL = EngineCliTest.ROOT.resolve("base-group").toString();

    /** Code that builds fine-tuning options (the experiment, tests) gets what the command line gets when nothing is given. */
    @Test
    void builderDefaultsAreTheCommandsDefaults() throws Exception {
        FinetuneCommand command = new FinetuneCommand();
        new CommandLine(command).parseArgs("--pretrained", MODEL, "--train", "corpus", "--out", "ft");
        FineTuning.Options fromCli = command.options();
        FineTuning.Options built = FineTuning.Options.builder(Path.of(MODEL), List.of(Path.of("corpus")), Path.of("ft")).build();
        for (RecordComponent c : FineTuning.Options.class.getRecordComponents()) {
            if (c.getName().equals("letters")) continue; // two readings of the same built-in table
            assertEquals(c.getAccessor().invoke(built), c.getAccessor().invoke(fromCli), c.getName());
        }
        assertEquals(fromCli.letters().alphabet(), built.letters().alphabet());
        assertEquals(fromCli.letters().source(), built.letters().source());
        assertNull(built.dev());
        assertEquals(0.1f, built.attentionDropout());
    }

    @Test
    void toBuilderKeepsEveryOption() throws Exception {
        FinetuneCommand command = new FinetuneCommand();
        new CommandLine(command).parseArgs("--pretrained", MODEL, "--train", "a", "--train", "b", "--dev", "d", "--out", "ft", "--steps", "7",
                "--batch-seconds", "9", "--lr", "3e-4", "--warmup", "0.05", "--hold", "0.45", "--train-feature-encoder", "--freeze-encoder-steps", "3",
                "--mask-time-prob", "0.3", "--mask-time-length", "4", "--mask-feature-prob", "0.2", "--mask-feature-length", "16", "--dropout", "0.05",
                "--final-dropout", "0.2", "--weight-decay", "0.01", "--clip", "2", "--seed", "28", "--eval-every", "11", "--save-every", "12",
                "--keep-every", "13", "--max-seconds", "15", "--dtype", "f16", "--stop-after", "5", "--eq-perturb", "18");
        FineTuning.Options o = command.options();
        // every option reaches its own field (the letter table is the built-in one the command read)
        assertEquals(new FineTuning.Options(Path.of(MODEL), List.of(Path.of("a"), Path.of("b")), Path.of("d"), Path.of("ft"), 7, 9, 3e-4, 0.05, 0.45,
                false, 3, 0.3f, 4, 0.05f, 0.05f, 0.05f, 0.2f, 0.01, 2, 28, 11, 12, 15, wavlens.checkpoint.DType.F16, o.letters(), 5, null, 18,
                0.2f, 16, 13), o);
        FineTuning.Options copy = o.toBuilder().build();
        for (RecordComponent c : FineTuning.Options.class.getRecordComponents()) {
            assertEquals(c.getAccessor().invoke(o), c.getAccessor().invoke(copy), c.getName());
        }
        assertEquals(0.05f, copy.hiddenDropout());
        assertEquals(16, copy.maskFeatureLength());
        assertEquals(false, copy.freezeFeatureEncoder());
    }
}
