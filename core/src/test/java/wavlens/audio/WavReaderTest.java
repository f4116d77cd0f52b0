package wavlens.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.UserError;

/** WAV files assembled byte by byte; expected samples are the stored integers scaled by hand. */
class WavReaderTest {
    @TempDir Path tmp;

    // ---- building WAV files

    /** Little-endian bytes of the given values, each `width` bytes wide. */
    static byte[] le(int width, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) for (int k = 0; k < width; k++) b.put((byte) (v >> (8 * k)));
        return b.array();
    }

    static byte[] chunk(String id, byte[] body) {
        return chunk(id, body.length, body);
    }

    /** A chunk with a given size field (which may lie) and its pad byte when the body is odd. */
    static byte[] chunk(String id, long sizeField, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(id.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeBytes(le(4, sizeField));
        out.writeBytes(body);
        if (body.length % 2 == 1) out.write(0);
        return out.toByteArray();
    }

    static byte[] fmt(int tag, int channels, int rate, int bits, int blockAlign) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(le(2, tag, channels));
        out.writeBytes(le(4, rate, (long) rate * blockAlign));
        out.writeBytes(le(2, blockAlign, bits));
        return chunk("fmt ", out.toByteArray());
    }

    static byte[] fmtExtensible(int subTag, int channels, int rate, int containerBits, int validBits) {
        int blockAlign = channels * containerBits / 8;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(le(2, 0xFFFE, channels));
        out.writeBytes(le(4, rate, (long) rate * blockAlign));
        out.writeBytes(le(2, blockAlign, containerBits, 22, validBits));
        out.writeBytes(le(4, (1L << channels) - 1)); // channel mask
        out.writeBytes(le(2, subTag));
        out.writeBytes(new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        return chunk("fmt ", out.toByteArray());
    }

    static byte[] riff(String form, byte[]... chunks) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("WAVE".getBytes());
        for (byte[] c : chunks) body.writeBytes(c);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(form.getBytes());
        out.writeBytes(le(4, form.equals("RIFF") ? body.size() : 0xFFFFFFFFL));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    static float[] scaled(double divisor, long... values) {
        float[] f = new float[values.length];
        for (int i = 0; i < values.length; i++) f[i] = (float) (values[i] / divisor);
        return f;
    }

    // ---- encodings

    @Test
    void pcm16WithExtraAndOddSizedChunks() throws IOException {
        long[] v = {-32768, -1, 0, 1, 16384, 32767, -12345};
        Path p = write("a.wav", riff("RIFF",
                chunk("LIST", "INFOISFT\u0005\0\0\0abcd\0".getBytes()),
                fmt(1, 1, 16000, 16, 2),
                chunk("junk", new byte[] {1, 2, 3}),  // odd size: a pad byte follows
                chunk("data", le(2, v)),
                chunk("cue ", new byte[] {9, 9, 9, 9})));
        PcmChannels pcm = WavReader.read(p);
        assertEquals(16000, pcm.sampleRate());
        assertEquals(16, pcm.bitsPerSample());
        assertArrayEquals(scaled(32768, v), pcm.channels()[0]);
        assertEquals(-1f, pcm.channels()[0][0]);
        assertEquals(7 / 16000.0, WavReader.durationSeconds(p), 0);
    }

    @Test
    void unsigned8BitStereoAndMixdown() throws IOException {
        // frames (L, R): (0, 255), (128, 128), (64, 192)
        Path p = write("u8.wav", riff("RIFF", fmt(1, 2, 8000, 8, 2), chunk("data", new byte[] {0, (byte) 255, (byte) 128, (byte) 128, 64, (byte) 192})));
        PcmChannels pcm = WavReader.read(p);
        assertArrayEquals(new float[] {-1f, 0f, -0.5f}, pcm.channels()[0]);
        assertArrayEquals(new float[] {127 / 128f, 0f, 0.5f}, pcm.channels()[1]);
        assertArrayEquals(new float[] {-1 / 256f, 0f, 0f}, pcm.mixToMono());
    }

    @Test
    void signed24And32Bit() throws IOException {
        long[] v24 = {-8388608, -1, 1, 8388607, 0x123456, -0x123456};
        PcmChannels pcm24 = WavReader.read(write("s24.wav", riff("RIFF", fmt(1, 1, 48000, 24, 3), chunk("data", le(3, v24)))));
        assertArrayEquals(scaled(8388608, v24), pcm24.channels()[0]);

        long[] v32 = {Integer.MIN_VALUE, -1, 1 << 30, Integer.MAX_VALUE, 123456789};
        PcmChannels pcm32 = WavReader.read(write("s32.wav", riff("RIFF", fmt(1, 1, 48000, 32, 4), chunk("data", le(4, v32)))));
        assertArrayEquals(scaled(2147483648.0, v32), pcm32.channels()[0]);
        assertEquals(-1f, pcm32.channels()[0][0]);
        assertEquals(0.5f, pcm32.channels()[0][2]);
    }

    @Test
    void float32And64() throws IOException {
        float[] f = {0.25f, -1.5f, 1e-8f, 0f};
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : f) b.putFloat(x);
        assertArrayEquals(f, WavReader.read(write("f32.wav", riff("RIFF", fmt(3, 1, 22050, 32, 4), chunk("data", b.array())))).channels()[0]);

        double[] d = {0.1, -0.75, 1 / 3.0};
        ByteBuffer b64 = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : d) b64.putDouble(x);
        PcmChannels pcm = WavReader.read(write("f64.wav", riff("RIFF", fmt(3, 1, 22050, 64, 8), chunk("data", b64.array()))));
        assertArrayEquals(new float[] {0.1f, -0.75f, (float) (1 / 3.0)}, pcm.channels()[0]);
        assertEquals(64, pcm.bitsPerSample());
    }

    @Test
    void extensiblePcmAndFloat() throws IOException {
        // 20 valid bits left-justified in a 24-bit container: scaled by the container, like libsndfile
        long[] v = {0x7FFFF0, -0x800000, 0x000010, -0x000010, 0x100000, 0x200000};
        PcmChannels pcm = WavReader.read(write("ext24.wav", riff("RIFF", fmtExtensible(1, 3, 96000, 24, 20), chunk("data", le(3, v)))));
        assertEquals(3, pcm.channels().length);
        assertEquals(96000, pcm.sampleRate());
        assertArrayEquals(scaled(8388608, v[0], v[3]), pcm.channels()[0]);
        assertArrayEquals(scaled(8388608, v[1], v[4]), pcm.channels()[1]);
        assertArrayEquals(scaled(8388608, v[2], v[5]), pcm.channels()[2]);
        float[] mono = pcm.mixToMono();
        assertEquals((float) ((v[0] + v[1] + v[2]) / 3.0 / 8388608), mono[0], 1e-7);

        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(-0.25f);
        PcmChannels f = WavReader.read(write("extf.wav", riff("RIFF", fmtExtensible(3, 2, 44100, 32, 32), chunk("data", b.array()))));
        assertArrayEquals(new float[] {0.125f}, f.mixToMono());
    }

    @Test
    void twelveBitSamplesInSixteenBitContainers() throws IOException {
        // Microsoft's rule: bits that are not a multiple of 8 are left-justified in whole bytes.
        long[] v = {0x7FF0, -0x8000, 0x0010};
        PcmChannels pcm = WavReader.read(write("s12.wav", riff("RIFF", fmt(1, 1, 8000, 12, 2), chunk("data", le(2, v)))));
        assertArrayEquals(scaled(32768, v), pcm.channels()[0]);
    }

    @Test
    void rf64UsesTheDs64DataSize() throws IOException {
        long[] v = {100, -200, 300};
        byte[] data = le(2, v);
        byte[] ds64 = chunk("ds64", ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0).putLong(data.length).putLong(3).putInt(0).array());
        // A chunk after the data must not be taken for samples.
        Path p = write("rf64.wav", riff("RF64", ds64, fmt(1, 1, 16000, 16, 2), chunk("data", 0xFFFFFFFFL, data), chunk("LIST", new byte[8])));
        assertArrayEquals(scaled(32768, v), WavReader.read(p).channels()[0]);
        assertEquals(3 / 16000.0, WavReader.durationSeconds(p), 0);
    }

    @Test
    void streamingWriterSizesReadToTheEnd() throws IOException {
        long[] v = {1, 2, 3, 4, 5, 6};
        Path unknown = write("stream.wav", riff("RIFF", fmt(1, 1, 16000, 16, 2), chunk("data", 0xFFFFFFFFL, le(2, v))));
        assertArrayEquals(scaled(32768, v), WavReader.read(unknown).channels()[0]);

        // Size field larger than the file, stereo, and a cut-off half frame at the end: whole frames only.
        byte[] data = Arrays.copyOf(le(2, 10, 20, 30, 40, 50), 10);
        Path cut = write("cut.wav", riff("RIFF", fmt(1, 2, 16000, 16, 4), chunk("data", 1_000_000, data)));
        PcmChannels pcm = WavReader.read(cut);
        assertArrayEquals(scaled(32768, 10, 30), pcm.channels()[0]);
        assertArrayEquals(scaled(32768, 20, 40), pcm.channels()[1]);
        assertEquals(2 / 16000.0, WavReader.durationSeconds(cut), 0);
    }

    @Test
    void g711MatchesSox() {
        // All 256 codes; the reference is sox's expansion of the same file to 16-bit PCM.
        Path dir = Path.of("src/test/resources/audio");
        for (String law : new String[] {"mulaw", "alaw"}) {
            PcmChannels coded = WavReader.read(dir.resolve(law + "_8k.wav"));
            PcmChannels reference = WavReader.read(dir.resolve(law + "_8k.ref.wav"));
            assertEquals(256, coded.frames());
            assertArrayEquals(reference.channels()[0], coded.channels()[0], law);
        }
        // Textbook values (ITU-T G.711): µ-law 0xFF is 0, 0x80 is the largest positive value.
        assertEquals(0, WavReader.mulawToLinear((byte) 0xFF));
        assertEquals(32124, WavReader.mulawToLinear((byte) 0x80));
        assertEquals(-32124, WavReader.mulawToLinear((byte) 0x00));
        assertEquals(8, WavReader.alawToLinear((byte) 0xD5));
        assertEquals(-32256, WavReader.alawToLinear((byte) 0x2A));
    }

    @Test
    void sharedTestWaveform() {
        // ../shared/testdata: 16-bit mono 16 kHz, 20800 samples (README "Cases").
        Path wav = Path.of("../../shared/testdata/wav2vec2/ctc-base/inputs/synthetic.wav");
        PcmChannels pcm = WavReader.read(wav);
        assertEquals(1, pcm.channels().length);
        assertEquals(16000, pcm.sampleRate());
        assertEquals(20800, pcm.frames());
        assertEquals(1.3, WavReader.durationSeconds(wav), 1e-12);
    }

    // ---- problems

    void assertProblem(Path p, String... phrases) {
        UserError e = assertThrows(UserError.class, () -> WavReader.read(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        for (String phrase : phrases) assertTrue(e.getMessage().contains(phrase), e.getMessage());
    }

    @Test
    void problemsAreOneClearUserError() throws IOException {
        assertProblem(tmp.resolve("missing.wav"), "file not found");
        assertProblem(write("empty.wav", new byte[0]), "empty file (0 bytes)");
        assertProblem(write("text.wav", "hello, this is not audio\n".getBytes()), "not a WAV file");
        byte[] good = riff("RIFF", fmt(1, 1, 16000, 16, 2), chunk("data", le(2, 1, 2, 3)));
        assertProblem(write("header-cut.wav", Arrays.copyOf(good, 30)), "truncated");
        assertProblem(write("no-data.wav", riff("RIFF", fmt(1, 1, 16000, 16, 2))), "no 'data' chunk");
        // header says 16-bit stereo (4 bytes per frame) but the data is packed 12-bit (3 bytes per frame)
        assertProblem(write("packed12.wav", riff("RIFF", fmt(1, 2, 16000, 16, 3), chunk("data", new byte[12]))),
                "inconsistent", "block align says 3");
        assertProblem(write("adpcm.wav", riff("RIFF", fmt(2, 1, 16000, 4, 256), chunk("data", new byte[256]))),
                "ADPCM WAV is not supported; convert with sox");
        assertProblem(write("mp3.wav", riff("RIFF", fmt(0x55, 1, 16000, 0, 1), chunk("data", new byte[10]))), "MP3", "not supported");
        assertProblem(write("f16.wav", riff("RIFF", fmt(3, 1, 16000, 16, 2), chunk("data", new byte[4]))), "16-bit float");
        assertProblem(write("zero.wav", riff("RIFF", fmt(1, 1, 16000, 16, 2), chunk("data", new byte[0]))), "no audio samples");
        assertProblem(write("nochan.wav", riff("RIFF", fmt(1, 0, 16000, 16, 0), chunk("data", new byte[4]))), "0 channels");
        assertProblem(write("rate0.wav", riff("RIFF", fmt(1, 1, 0, 16, 2), chunk("data", new byte[4]))), "sample rate");
        byte[] ext = fmtExtensible(1, 1, 16000, 16, 16);
        ext[8 + 26] = 0x55; // damage the GUID
        assertProblem(write("guid.wav", riff("RIFF", ext, chunk("data", new byte[4]))), "sub-format GUID");
        assertProblem(write("rifx.wav", "RIFX\0\0\0\0WAVEfmt ".getBytes()), "big-endian");
        assertProblem(tmp, "directory");
    }
}
