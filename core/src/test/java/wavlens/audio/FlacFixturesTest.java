package wavlens.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import wavlens.io.UserError;

/** FLAC files made by the flac CLI, decoded against `flac --decode` of the same file (bit-exact). */
class FlacFixturesTest {
    static final Path DIR = Path.of("src/test/resources/audio");

    @ParameterizedTest
    @CsvSource({
            "mono16_44k,   1, 44100, 16",
            "mono8_22k,    1, 22050, 8",
            "stereo16_44k, 2, 44100, 16",
            "stereo24_22k, 2, 22050, 24",
            "stereo32_16k, 2, 16000, 32",
            "wasted16_16k, 1, 16000, 16",
    })
    void decodesBitExactlyLikeFlacCli(String name, int channels, int rate, int bits) {
        PcmChannels flac = FlacDecoder.decode(DIR.resolve(name + ".flac"));
        PcmChannels reference = WavReader.read(DIR.resolve(name + ".ref.wav"));
        assertEquals(channels, flac.channels().length);
        assertEquals(rate, flac.sampleRate());
        assertEquals(bits, flac.bitsPerSample());
        assertEquals(reference.frames(), flac.frames());
        for (int c = 0; c < channels; c++) {
            // Both sides are integer / 2^(bits-1); equal floats mean equal integers up to 24 bits.
            // For 32 bits the decoder's own STREAMINFO MD5 check has compared every integer.
            assertArrayEquals(reference.channels()[c], flac.channels()[c], name + " channel " + c);
        }
        assertEquals(reference.frames() / (double) rate, FlacDecoder.durationSeconds(DIR.resolve(name + ".flac")), 0);
    }

    @Test
    void corruptFrameNamesFileAndFrame(@TempDir Path tmp) throws IOException {
        byte[] bytes = Files.readAllBytes(DIR.resolve("mono16_44k.flac"));
        bytes[bytes.length / 2] ^= 0x10; // one bit in the middle of the audio frames
        Path bad = tmp.resolve("bad.flac");
        Files.write(bad, bytes);
        UserError e = assertThrows(UserError.class, () -> FlacDecoder.decode(bad));
        assertTrue(e.getMessage().startsWith(bad + ": FLAC frame "), e.getMessage());
        assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());
    }

    @Test
    void cutOffFileIsAnError(@TempDir Path tmp) throws IOException {
        byte[] bytes = Files.readAllBytes(DIR.resolve("stereo16_44k.flac"));
        Path cut = tmp.resolve("cut.flac");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 1000));
        UserError e = assertThrows(UserError.class, () -> FlacDecoder.decode(cut));
        assertTrue(e.getMessage().startsWith(cut + ": FLAC frame "), e.getMessage());
    }
}
