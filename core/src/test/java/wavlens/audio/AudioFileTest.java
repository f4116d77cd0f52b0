package wavlens.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.UserError;

class AudioFileTest {
    static final Path DIR = Path.of("src/test/resources/audio");
    @TempDir Path tmp;

    @Test
    void formatComesFromTheBytesNotTheName() throws IOException {
        Path flacNamedWav = tmp.resolve("really-flac.wav");
        Files.copy(DIR.resolve("stereo16_44k.flac"), flacNamedWav);
        Path wavNamedFlac = tmp.resolve("really-wav.flac");
        Files.copy(DIR.resolve("stereo16_44k.ref.wav"), wavNamedFlac);

        Audio fromFlac = AudioFile.read(flacNamedWav);
        Audio fromWav = AudioFile.read(wavNamedFlac);
        assertEquals(44100, fromFlac.sampleRate());
        assertEquals(2, fromFlac.originalChannels());
        assertEquals(flacNamedWav, fromFlac.source());
        assertArrayEquals(fromWav.samples(), fromFlac.samples());

        // mono = average of the two channels, computed here from the reference channels
        PcmChannels reference = WavReader.read(DIR.resolve("stereo16_44k.ref.wav"));
        for (int i = 0; i < reference.frames(); i += 97) {
            assertEquals((reference.channels()[0][i] + reference.channels()[1][i]) / 2, fromFlac.samples()[i], 1e-7);
        }
        assertEquals(reference.frames() / 44100.0, fromFlac.durationSeconds(), 0);
    }

    @Test
    void load16kResamplesOnlyWhenNeeded() {
        Path at16k = Path.of("../../shared/testdata/wav2vec2/ctc-base/inputs/synthetic.wav");
        assertArrayEquals(AudioFile.read(at16k).samples(), AudioFile.load16k(at16k));

        Path at44k = DIR.resolve("mono16_44k.flac");
        Audio audio = AudioFile.read(at44k);
        float[] x = AudioFile.load16k(at44k);
        assertEquals(Resampler.outputLength(audio.samples().length, 44100, 16000), x.length);
        assertArrayEquals(Resampler.resample(audio.samples(), 44100, 16000), x);

        float[] x22 = AudioFile.load16k(DIR.resolve("mono8_22k.flac"));
        assertEquals(Resampler.outputLength(AudioFile.read(DIR.resolve("mono8_22k.flac")).samples().length, 22050, 16000), x22.length);
    }

    @Test
    void durationFromHeadersMatchesTheDecodedLength() {
        for (String name : new String[] {"mono16_44k", "mono8_22k", "stereo24_22k", "wasted16_16k"}) {
            PcmChannels reference = WavReader.read(DIR.resolve(name + ".ref.wav"));
            double seconds = reference.frames() / (double) reference.sampleRate();
            assertEquals(seconds, AudioFile.durationSeconds(DIR.resolve(name + ".flac")), 0, name);
            assertEquals(seconds, AudioFile.durationSeconds(DIR.resolve(name + ".ref.wav")), 0, name);
        }
    }

    /** read, load16k and (for problems in the header) durationSeconds all refuse the file. */
    void assertProblem(Path p, String phrase) {
        assertProblem(p, phrase, true);
    }

    void assertProblem(Path p, String phrase, boolean inHeader) {
        List<Consumer<Path>> calls = new ArrayList<>(List.of(AudioFile::read, AudioFile::load16k));
        if (inHeader) calls.add(AudioFile::durationSeconds);
        for (Consumer<Path> call : calls) {
            UserError e = assertThrows(UserError.class, () -> call.accept(p));
            assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(phrase), e.getMessage());
        }
    }

    Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void problemsAreOneClearUserError() throws IOException {
        assertProblem(tmp.resolve("nope.flac"), "file not found");
        assertProblem(write("empty.wav", new byte[0]), "empty file (0 bytes)");
        assertProblem(write("notes.wav", "speaker 1: hello world\nspeaker 2: hi\n".getBytes()), "looks like text");
        assertProblem(write("song.ogg", "OggS\0\2\0\0\0\0\0\0\0\0\0\0".getBytes()), "Ogg");
        assertProblem(write("song.mp3", "ID3\4\0\0\0\0\0\5abcde\u00ff\u00fb".getBytes()), "MP3");
        assertProblem(write("x.sph", "NIST_1A\n   1024\n".getBytes()), "SPHERE");
        assertProblem(write("noise.bin", new byte[] {1, 2, 3, (byte) 200, 0, 0, 0, 0}), "not a WAV, FLAC, MP3, Ogg or WebM file");
        assertProblem(tmp, "directory");

        byte[] flac = Files.readAllBytes(DIR.resolve("mono8_22k.flac"));
        flac[flac.length - 300] ^= 0x40;
        assertProblem(write("corrupt.flac", flac), "is corrupt", false); // the header is fine: durationSeconds works

        byte[] wav = Files.readAllBytes(DIR.resolve("mono16_44k.ref.wav"));
        assertProblem(write("cut-header.wav", java.util.Arrays.copyOf(wav, 20)), "truncated");
    }

    @Test
    void monoFilesAreNotCopied() {
        PcmChannels pcm = WavReader.read(DIR.resolve("mono16_44k.ref.wav"));
        assertSame(pcm.channels()[0], pcm.mixToMono());
    }
}
