package wavlens.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.UserError;

/**
 * FLAC streams written bit by bit from the specification (RFC 9639), for the features the flac
 * CLI does not produce on demand: VERBATIM subframes, escaped residual partitions (also of width
 * 0), Rice2 parameters above 15, variable block sizes with 8- and 16-bit coded sizes, multi-byte
 * coded sample numbers, a sample rate coded in the frame header, 20-bit samples, wasted bits
 * under LPC, a CONSTANT side channel. The expected output is the integer signal the stream was
 * built from, divided by 2^19. (The builder was checked once against the reference decoder:
 * libFLAC 1.4.2's {@code flac -t} accepts the stream, MD5 signature included.)
 */
class FlacHandBuiltTest {
    static final int BITS = 20;
    static final int ESCAPE = -1; // a partition "parameter" meaning: write it escaped with raw bits

    /** Writes bits most significant first. */
    static final class BitWriter {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int current, count;

        void bit(long b) {
            current = current << 1 | (int) (b & 1);
            if (++count == 8) { out.write(current); current = 0; count = 0; }
        }

        void bits(long value, int n) { for (int i = n - 1; i >= 0; i--) bit(value >>> i); }

        void unary(long zeros) { for (long i = 0; i < zeros; i++) bit(0); bit(1); }

        void align() { while (count != 0) bit(0); }

        int size() { return out.size(); }

        byte[] bytes() { return out.toByteArray(); }
    }

    /** Bit-serial CRC (most significant bit first, initial 0): the textbook definition, not a table. */
    static int crc(byte[] b, int from, int to, int poly, int width) {
        int crc = 0, top = 1 << (width - 1), mask = (1 << width) - 1;
        for (int i = from; i < to; i++) {
            for (int k = 7; k >= 0; k--) {
                int in = (b[i] >> k) & 1;
                int msb = (crc & top) != 0 ? 1 : 0;
                crc = (crc << 1) & mask;
                if ((msb ^ in) == 1) crc ^= poly;
            }
        }
        return crc;
    }

    // ---- subframe writers: each takes the channel's samples for the frame

    static void subframeHeader(BitWriter w, int type, int wasted) {
        w.bit(0);
        w.bits(type, 6);
        if (wasted == 0) w.bit(0);
        else { w.bit(1); w.unary(wasted - 1); }
    }

    static void verbatim(BitWriter w, long[] s, int bits) {
        subframeHeader(w, 1, 0);
        for (long v : s) w.bits(v, bits);
    }

    static void constant(BitWriter w, long value, int bits) {
        subframeHeader(w, 0, 0);
        w.bits(value, bits);
    }

    static void fixed(BitWriter w, long[] s, int bits, int order, int method, int partitionOrder, int... params) {
        subframeHeader(w, 8 + order, 0);
        for (int i = 0; i < order; i++) w.bits(s[i], bits);
        long[] residual = new long[s.length];
        long[][] binomial = {{}, {1}, {2, -1}, {3, -3, 1}, {4, -6, 4, -1}};
        for (int i = order; i < s.length; i++) {
            long prediction = 0;
            for (int j = 0; j < order; j++) prediction += binomial[order][j] * s[i - 1 - j];
            residual[i] = s[i] - prediction;
        }
        residual(w, residual, order, method, partitionOrder, params);
    }

    static void lpc(BitWriter w, long[] samples, int bits, int wasted, int[] coefs, int precision, int shift,
                    int method, int partitionOrder, int... params) {
        int order = coefs.length;
        subframeHeader(w, 31 + order, wasted);
        long[] s = new long[samples.length];
        for (int i = 0; i < s.length; i++) {
            assertEquals(0, samples[i] & ((1L << wasted) - 1), "test signal must have " + wasted + " zero low bits");
            s[i] = samples[i] >> wasted;
        }
        for (int i = 0; i < order; i++) w.bits(s[i], bits - wasted);
        w.bits(precision - 1, 4);
        w.bits(shift, 5);
        for (int c : coefs) w.bits(c, precision);
        long[] residual = new long[s.length];
        for (int i = order; i < s.length; i++) {
            long sum = 0;
            for (int j = 0; j < order; j++) sum += coefs[j] * s[i - 1 - j];
            residual[i] = s[i] - (sum >> shift);
        }
        residual(w, residual, order, method, partitionOrder, params);
    }

    static void residual(BitWriter w, long[] r, int order, int method, int partitionOrder, int... params) {
        int parameterBits = method == 0 ? 4 : 5;
        assertEquals(1 << partitionOrder, params.length);
        w.bits(method, 2);
        w.bits(partitionOrder, 4);
        int size = r.length >> partitionOrder;
        for (int p = 0; p < params.length; p++) {
            int from = p == 0 ? order : p * size, to = (p + 1) * size;
            if (params[p] == ESCAPE) {
                int raw = 0; // smallest two's complement width holding every value (0 if all are 0)
                for (int i = from; i < to; i++) if (r[i] != 0) raw = Math.max(raw, 65 - Long.numberOfLeadingZeros(r[i] < 0 ? ~r[i] : r[i]));
                w.bits((1 << parameterBits) - 1, parameterBits);
                w.bits(raw, 5);
                for (int i = from; i < to; i++) w.bits(r[i], raw);
            } else {
                int k = params[p];
                w.bits(k, parameterBits);
                for (int i = from; i < to; i++) {
                    long u = r[i] >= 0 ? 2 * r[i] : -2 * r[i] - 1; // fold sign into the low bit
                    w.unary(u >>> k);
                    w.bits(u, k);
                }
            }
        }
    }

    interface Subframes { void write(BitWriter w); }

    /** One frame with variable-block-size numbering (the coded number is the first sample's index). */
    static void frame(BitWriter w, long firstSample, int blockSize, int channelCode, boolean rateInKhz, Subframes subframes) {
        int start = w.size();
        w.bits(0x7FFC, 15);
        w.bit(1); // variable block size
        w.bits(blockSize <= 256 ? 6 : 7, 4);
        w.bits(rateInKhz ? 12 : 0, 4);
        w.bits(channelCode, 4);
        w.bits(5, 3); // 20 bits per sample
        w.bit(0);
        if (firstSample < 0x80) w.bits(firstSample, 8);
        else if (firstSample < 0x800) { w.bits(0xC0 | firstSample >> 6, 8); w.bits(0x80 | (firstSample & 0x3F), 8); }
        else { w.bits(0xE0 | firstSample >> 12, 8); w.bits(0x80 | ((firstSample >> 6) & 0x3F), 8); w.bits(0x80 | (firstSample & 0x3F), 8); }
        w.bits(blockSize - 1, blockSize <= 256 ? 8 : 16);
        if (rateInKhz) w.bits(16, 8);
        byte[] sofar = w.bytes();
        w.bits(crc(sofar, start, sofar.length, 0x07, 8), 8);
        subframes.write(w);
        w.align();
        sofar = w.bytes();
        w.bits(crc(sofar, start, sofar.length, 0x8005, 16), 16);
    }

    /** The test signal: left and right channels as 20-bit integers, and the stream that encodes them. */
    record Stream(long[] left, long[] right, byte[] bytes) {}

    static Stream build(boolean storeLengthAndMd5) throws Exception {
        int[] sizes = {100, 37, 64, 300, 1, 48};
        int total = Arrays.stream(sizes).sum();
        long[] left = new long[total], right = new long[total];
        Random random = new Random(7);
        long walk = 1000;
        for (int i = 0; i < total; i++) {
            walk = Math.max(-(1 << 19) + 600, Math.min((1 << 19) - 600, walk + random.nextInt(-500, 500)));
            left[i] = walk;
            right[i] = walk + random.nextInt(-40, 40);
        }
        // frame 4 (samples 201..500): right a multiple of 8 (3 wasted bits), left = right + 5 (constant side)
        for (int i = 201; i < 501; i++) { right[i] = left[i] & ~7L; left[i] = right[i] + 5; }
        // frame 6 (samples 502..549): the first 10 samples flat, so the order-4 residual of partition 0 is all zero
        for (int i = 502; i < 512; i++) { left[i] = left[502]; right[i] = right[502]; }
        left[501] = -(1 << 19); // extremes of the 20-bit range (frame 5, verbatim)
        right[501] = (1 << 19) - 1;

        BitWriter w = new BitWriter();
        w.bits('f', 8); w.bits('L', 8); w.bits('a', 8); w.bits('C', 8);
        w.bit(0); w.bits(0, 7); w.bits(34, 24); // STREAMINFO, not last
        w.bits(1, 16); w.bits(300, 16); w.bits(0, 24); w.bits(0, 24);
        w.bits(16000, 20); w.bits(2 - 1, 3); w.bits(BITS - 1, 5);
        w.bits(storeLengthAndMd5 ? total : 0, 36);
        byte[] md5 = new byte[16];
        if (storeLengthAndMd5) {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            for (int i = 0; i < total; i++) {
                for (long v : new long[] {left[i], right[i]}) digest.update(new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16)});
            }
            md5 = digest.digest();
        }
        for (byte b : md5) w.bits(b, 8);
        w.bit(1); w.bits(1, 7); w.bits(5, 24); // a last PADDING block of 5 bytes, to be skipped
        w.bits(0, 40);

        int at = 0;
        long[] l = slice(left, at, 100), r = slice(right, at, 100);
        frame(w, at, 100, 1, false, x -> { verbatim(x, l, BITS); fixed(x, r, BITS, 2, 0, 2, 9, ESCAPE, 10, 4); });
        at += 100;

        long[] l2 = slice(left, at, 37), side2 = minus(l2, slice(right, at, 37));
        frame(w, at, 37, 8, false, x -> { fixed(x, l2, BITS, 1, 1, 0, 20); fixed(x, side2, BITS + 1, 0, 0, 0, ESCAPE); });
        at += 37;

        long[] l3 = slice(left, at, 64), r3 = slice(right, at, 64);
        long[] mid3 = new long[64], side3 = minus(l3, r3);
        for (int i = 0; i < 64; i++) mid3[i] = (l3[i] + r3[i]) >> 1;
        frame(w, at, 64, 10, false, x -> {
            lpc(x, mid3, BITS, 0, new int[] {7, -3, 1}, 5, 2, 1, 2, 18, 11, ESCAPE, 16);
            verbatim(x, side3, BITS + 1);
        });
        at += 64;

        long[] r4 = slice(right, at, 300);
        frame(w, at, 300, 9, false, x -> { constant(x, 5, BITS + 1); lpc(x, r4, BITS, 3, new int[] {3, -1}, 4, 1, 0, 2, ESCAPE, 8, 7, 6); });
        at += 300;

        long[] l5 = slice(left, at, 1), r5 = slice(right, at, 1);
        frame(w, at, 1, 1, false, x -> { verbatim(x, l5, BITS); verbatim(x, r5, BITS); });
        at += 1;

        long[] l6 = slice(left, at, 48), r6 = slice(right, at, 48);
        frame(w, at, 48, 1, true, x -> {
            fixed(x, l6, BITS, 4, 0, 3, ESCAPE, 12, 12, 12, 12, 12, 12, 12);
            fixed(x, r6, BITS, 3, 1, 1, ESCAPE, 12);
        });
        return new Stream(left, right, w.bytes());
    }

    static long[] slice(long[] a, int from, int n) { return Arrays.copyOfRange(a, from, from + n); }

    static long[] minus(long[] a, long[] b) {
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
        return d;
    }

    static float[] scaled(long[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = v[i] / (float) (1 << (BITS - 1));
        return f;
    }

    @Test
    void decodesEverySubframeKindAndStereoMode(@TempDir Path tmp) throws Exception {
        Stream s = build(true);
        Path file = tmp.resolve("handmade.flac");
        Files.write(file, s.bytes());
        PcmChannels pcm = FlacDecoder.decode(file);
        assertEquals(16000, pcm.sampleRate());
        assertEquals(BITS, pcm.bitsPerSample());
        assertArrayEquals(scaled(s.left()), pcm.channels()[0]);
        assertArrayEquals(scaled(s.right()), pcm.channels()[1]);
        assertEquals(550 / 16000.0, FlacDecoder.durationSeconds(file), 0);
    }

    @Test
    void unknownLengthDecodesToTheEnd(@TempDir Path tmp) throws Exception {
        Stream s = build(false);
        Path file = tmp.resolve("unknown-length.flac");
        Files.write(file, s.bytes());
        PcmChannels pcm = FlacDecoder.decode(file);
        assertArrayEquals(scaled(s.left()), pcm.channels()[0]);
        assertArrayEquals(scaled(s.right()), pcm.channels()[1]);
        assertEquals(550 / 16000.0, FlacDecoder.durationSeconds(file), 0);
    }

    @Test
    void id3v2TagInFrontIsSkipped(@TempDir Path tmp) throws Exception {
        Stream s = build(true);
        byte[] tag = new byte[10 + 200];
        tag[0] = 'I'; tag[1] = 'D'; tag[2] = '3'; tag[3] = 4;
        tag[8] = 200 >> 7; tag[9] = 200 & 0x7F; // syncsafe size 200
        byte[] bytes = new byte[tag.length + s.bytes().length];
        System.arraycopy(tag, 0, bytes, 0, tag.length);
        System.arraycopy(s.bytes(), 0, bytes, tag.length, s.bytes().length);
        Path file = tmp.resolve("tagged.mp3"); // the name does not matter, the bytes do
        Files.write(file, bytes);
        Audio audio = AudioFile.read(file);
        assertEquals(550, audio.samples().length);
        assertEquals(2, audio.originalChannels());
        assertEquals((s.left()[7] + s.right()[7]) / 2.0 / (1 << 19), audio.samples()[7], 1e-9);
        assertEquals(550 / 16000.0, AudioFile.durationSeconds(file), 0);
    }

    @Test
    void wrongMd5IsReported(@TempDir Path tmp) throws Exception {
        Stream s = build(true);
        byte[] bytes = s.bytes().clone();
        bytes[4 + 4 + 18] ^= 1; // first MD5 byte in STREAMINFO
        Path file = tmp.resolve("md5.flac");
        Files.write(file, bytes);
        UserError e = assertThrows(UserError.class, () -> FlacDecoder.decode(file));
        assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains("MD5"), e.getMessage());
    }

    @Test
    void everyFlippedBitInAFrameIsCaught(@TempDir Path tmp) throws Exception {
        // CRC-16 detects every single-bit error; the decoder must report each as a UserError.
        Stream s = build(true);
        int firstFrame = 4 + 4 + 34 + 4 + 5;
        Path file = tmp.resolve("flipped.flac");
        Random random = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            byte[] bytes = s.bytes().clone();
            int bit = firstFrame * 8 + random.nextInt((bytes.length - firstFrame) * 8);
            bytes[bit / 8] ^= (byte) (0x80 >> (bit % 8));
            Files.write(file, bytes);
            UserError e = assertThrows(UserError.class, () -> FlacDecoder.decode(file), "bit " + bit);
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        }
    }

    @Test
    void streamWithoutFramesIsAnError(@TempDir Path tmp) throws Exception {
        int firstFrame = 4 + 4 + 34 + 4 + 5;
        byte[] unknownLength = Arrays.copyOf(build(false).bytes(), firstFrame);
        Path empty = tmp.resolve("no-frames.flac");
        Files.write(empty, unknownLength);
        UserError e = assertThrows(UserError.class, () -> FlacDecoder.decode(empty));
        assertEquals(empty + ": FLAC file contains no audio samples", e.getMessage());

        byte[] announced = Arrays.copyOf(build(true).bytes(), firstFrame);
        Path cut = tmp.resolve("cut-before-frames.flac");
        Files.write(cut, announced);
        e = assertThrows(UserError.class, () -> FlacDecoder.decode(cut));
        assertEquals(cut + ": file is cut off: it ends after 0 frames, 0 of the 550 samples STREAMINFO announces", e.getMessage());
    }

    @Test
    void crcTablesMatchTheBitSerialDefinition() throws IOException {
        byte[] data = new byte[1000];
        new Random(5).nextBytes(data);
        assertEquals(crc(data, 3, 900, 0x07, 8), FlacDecoder.crc8(data, 3, 900));
        assertEquals(crc(data, 3, 900, 0x8005, 16), FlacDecoder.crc16(data, 3, 900));
    }
}
