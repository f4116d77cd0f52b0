package wavlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import wavlens.train.Pretraining;

class PretrainCommandTest {

    /** Code that builds pretraining options (tests) gets what the command line gets when nothing is given. */
    @Test
    void builderDefaultsAreTheCommandsDefaults() throws Exception {
        PretrainCommand command = new PretrainCommand();
        new CommandLine(command).parseArgs("--corpus", "corpus", "--out", "pt");
        Pretraining.Options fromCli = command.options(), built = Pretraining.Options.builder(Path.of("corpus"), Path.of("pt")).build();
        for (RecordComponent c : Pretraining.Options.class.getRecordComponents()) {
            assertEquals(c.getAccessor().invoke(built), c.getAccessor().invoke(fromCli), c.getName());
        }
        assertEquals("tiny", built.shape());
        assertEquals(0.5, built.gumbelEnd());
    }

    @Test
    void everyOptionReachesItsField() {
        PretrainCommand command = new PretrainCommand();
        new CommandLine(command).parseArgs("--corpus", "c", "--out", "o", "--shape", "small", "--steps", "7", "--batch-seconds", "9", "--lr", "1e-3",
                "--warmup", "0.05", "--hold", "0.45", "--mask-time-prob", "0.3", "--mask-time-length", "2", "--negatives", "50",
                "--cross-negatives", "5", "--codevectors", "32", "--gumbel", "1.5,0.25", "--feature-penalty", "10", "--feature-grad-mult", "1",
                "--dropout", "0.05", "--weight-decay", "0", "--clip", "3", "--seed", "4", "--save-every", "11", "--keep-every", "12",
                "--max-seconds", "8", "--dtype", "f16", "--max-utterances", "99", "--stop-after", "6");
        Pretraining.Options o = command.options();
        assertEquals(new Pretraining.Options("small", null, Path.of("c"), Path.of("o"), 7, 9, 1e-3, 0.05, 0.45, 0.3f, 2, 50, 5, 32, 1.5, 0.25, 10, 1f,
                0.05f, 0, 3, 4, 11, 8, wavlens.checkpoint.DType.F16, 6, 99, 12), o);
    }
}
