package wavlens.audio;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.UserError;

/** Damaged and unsupported lossy files: one UserError naming the file and what is wrong, never a raw exception or a hang. */
class LossyProblemsTest {
    static final Path DIR = LossyCodecsTest.DIR;
    static final String[] FIXTURES = {"mp3_cbr_mono_44k.mp3", "mp3_vbr_stereo_44k.mp3", "mp3_mpeg2_mono_22k.mp3",
            "vorbis_mono_22k.ogg", "opus_stereo.opus", "webm_opus_stereo.webm", "webm_opus_mono_live.webm", "mka_vorbis_stereo_44k.mka"};

    @TempDir Path tmp;

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(DIR.resolve(name));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    void assertProblem(String name, byte[] content, String phrase) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, content);
        UserError e = assertThrows(UserError.class, () -> AudioFile.read(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(phrase), e.getMessage());
        UserError inMemory = assertThrows(UserError.class, () -> AudioFile.read("row 7 of shard.parquet", content));
        assertTrue(inMemory.getMessage().startsWith("row 7 of shard.parquet: "), inMemory.getMessage());
        assertTrue(inMemory.getMessage().contains(phrase), inMemory.getMessage());
    }

    @Test
    void truncatedMp3NamesTheCutFrame() throws IOException {
        byte[] mp3 = bytes("mp3_cbr_mono_44k.mp3");
        assertProblem("cut.mp3", Arrays.copyOf(mp3, mp3.length / 2 + 17), "cut off: MP3 frame");
    }

    @Test
    void vbrMp3CutAtAFrameBoundaryFallsShortOfItsXingFrameCount() throws IOException {
        byte[] mp3 = bytes("mp3_vbr_stereo_44k.mp3");
        Mp3Reader.Frames frames = Mp3Reader.frames("x", mp3);
        int[] half = frames.ranges().get(frames.ranges().size() / 2);
        assertProblem("cut-vbr.mp3", Arrays.copyOf(mp3, half[0]), "announces");
    }

    @Test
    void opusPageWithABrokenCrcIsNamed() throws IOException {
        byte[] opus = bytes("opus_stereo.opus");
        byte[] broken = opus.clone();
        broken[opus.length - 200] ^= 0x01; // a bit in the last page's audio
        assertProblem("broken.opus", broken, "fails its CRC check");
        assertProblem("cut.opus", Arrays.copyOf(opus, opus.length - 100), "cut off: Ogg page");
    }

    @Test
    void unknownCodecsInKnownContainersAreNamed() throws IOException {
        assertProblem("aac.m4a", bytes("aac_mono.m4a"), "MP4/M4A file (AAC or ALAC in MP4) is not read");
        assertProblem("aac.mka", bytes("aac_mono.mka"), "AAC in Matroska is not read");
        assertProblem("speex.ogg", oggWithFirstPacket("Speex   ".getBytes()), "Ogg file with Speex is not read");
    }

    @Test
    void truncatedWebmIsNamed() throws IOException {
        byte[] webm = bytes("webm_opus_stereo.webm");
        assertProblem("cut.webm", Arrays.copyOf(webm, webm.length * 2 / 3), "cut off:");
    }

    /** A one-page Ogg stream holding one packet, with a valid CRC. */
    static byte[] oggWithFirstPacket(byte[] packet) {
        byte[] page = new byte[28 + packet.length];
        System.arraycopy("OggS".getBytes(), 0, page, 0, 4);
        page[5] = 2; // beginning of stream
        page[14] = 42; // serial
        page[26] = 1; // one segment
        page[27] = (byte) packet.length;
        System.arraycopy(packet, 0, page, 28, packet.length);
        int crc = OggReader.crc(page, 0, page.length, 22);
        for (int i = 0; i < 4; i++) page[22 + i] = (byte) (crc >>> (8 * i));
        return page;
    }

    /** Truncations and bit flips of every fixture: decoded, or one UserError naming the source; within seconds. */
    @Property(tries = 150)
    void damagedFilesNeverThrowRawExceptionsOrHang(@ForAll @IntRange(min = 0, max = 7) int which,
                                                   @ForAll @IntRange(min = 0, max = 1_000_000) int where,
                                                   @ForAll @IntRange(min = 0, max = 2) int how) {
        byte[] data = bytes(FIXTURES[which]);
        int at = where % data.length;
        byte[] damaged = switch (how) {
            case 0 -> Arrays.copyOf(data, at);                    // truncated
            case 1 -> { byte[] d = data.clone(); d[at] ^= (byte) (1 << (where % 8)); yield d; }   // one bit flipped
            default -> { byte[] d = data.clone(); for (int i = at; i < Math.min(d.length, at + 64); i++) d[i] = (byte) (i * 31 + where); yield d; } // a run of garbage
        };
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try {
                AudioFile.read("fuzzed", damaged);
            } catch (UserError e) {
                assertTrue(e.getMessage().startsWith("fuzzed: "), e.getMessage());
            }
        });
    }
}
