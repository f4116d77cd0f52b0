package wavlens.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import wavlens.io.UserError;

/**
 * A complete FLAC decoder in pure Java, written from the format specification (RFC 9639).
 *
 * <p>Reads the STREAMINFO block and skips every other metadata block (and an ID3v2 tag in front
 * of the stream, which some taggers add). Decodes CONSTANT, VERBATIM, FIXED (orders 0-4) and LPC
 * (orders 1-32) subframes with Rice / Rice2 partitioned residuals including escaped (raw-bit)
 * partitions, wasted bits, independent channels and the three stereo decorrelations
 * (left/side, right/side, mid/side), bit depths 4-32, fixed and variable block sizes.
 *
 * <p>Integrity: every frame header's CRC-8 and every frame's CRC-16 are checked, and the decoded
 * samples are compared with the MD5 signature in STREAMINFO (when the encoder stored one). A
 * corrupt or cut-off frame is a {@link UserError} naming the file, the frame index and its byte
 * offset.
 *
 * <p>Samples are scaled by 2^-(bits-1), the way soundfile / torchaudio do (see {@link PcmChannels}).
 */
public final class FlacDecoder {
    /** What STREAMINFO says; firstFrameOffset is where the audio frames begin. */
    record StreamInfo(int maxBlockSize, int sampleRate, int channels, int bitsPerSample, long totalSamples,
                      byte[] md5, int firstFrameOffset) {}

    /** A malformed frame; becomes a UserError that names the frame. */
    private static final class Corrupt extends RuntimeException {
        Corrupt(String message) {
            super(message, null, false, false);
        }
    }

    private final Path file;
    private final byte[] data;

    // Bit reader: the next unread bits of data, most significant bit first, are the top
    // cacheBits bits of cache (the bits below them are zero); nextByte is the next byte to load.
    private long cache;
    private int cacheBits;
    private int nextByte;

    private FlacDecoder(Path file, byte[] data) {
        this.file = file;
        this.data = data;
    }

    /** Decodes every channel of a FLAC file. */
    public static PcmChannels decode(Path file) {
        return new FlacDecoder(file, AudioFile.readAllBytes(file)).decodeAll();
    }

    /** Duration from STREAMINFO (reads only the first bytes of the file); decodes the file if STREAMINFO leaves the length unknown. */
    public static double durationSeconds(Path file) {
        byte[] head;
        try (FileChannel ch = AudioFile.open(file)) {
            if (ch.size() == 0) throw UserError.inFile(file, "empty file (0 bytes)");
            ByteBuffer id3 = ByteBuffer.allocate(10);
            while (id3.hasRemaining() && ch.read(id3, id3.position()) >= 0) { }
            int metadataStart = id3v2Length(id3.array(), id3.position());
            ByteBuffer b = ByteBuffer.allocate(42); // "fLaC" + block header (4) + STREAMINFO (34)
            while (b.hasRemaining() && ch.read(b, metadataStart + b.position()) >= 0) { }
            head = Arrays.copyOf(b.array(), b.position());
        } catch (IOException e) {
            throw AudioFile.ioProblem(file, e);
        }
        StreamInfo info = new FlacDecoder(file, head).readMetadata(0, false);
        if (info.totalSamples > 0) return info.totalSamples / (double) info.sampleRate;
        PcmChannels pcm = decode(file);
        return pcm.frames() / (double) pcm.sampleRate();
    }

    private PcmChannels decodeAll() {
        StreamInfo info = readMetadata(id3v2Length(data, data.length), true);
        if (info.totalSamples > Integer.MAX_VALUE - 8) {
            throw UserError.inFile(file, "too long: " + info.totalSamples + " samples per channel (at most 2^31 can be held in memory)");
        }
        int channelCount = info.channels;
        float[][] out = new float[channelCount][info.totalSamples > 0 ? (int) info.totalSamples : 1 << 16];
        long[][] block = new long[channelCount][Math.max(16, info.maxBlockSize)];
        MessageDigest md5 = hasSignature(info.md5) ? md5() : null;
        byte[] md5Bytes = new byte[0];
        float scale = (float) (1.0 / (1L << (info.bitsPerSample - 1)));

        startReadingAt(info.firstFrameOffset);
        int written = 0;
        for (int frame = 0; ; frame++) {
            if (info.totalSamples > 0 && written >= info.totalSamples) break;
            int start = bytePosition();
            if (start >= data.length) {
                if (info.totalSamples > 0) {
                    throw UserError.inFile(file, "file is cut off: it ends after " + frame + " frames, " + written + " of the "
                            + info.totalSamples + " samples STREAMINFO announces");
                }
                break;
            }
            if (info.totalSamples == 0 && !looksLikeFrameStart(start)) {
                if (isId3v1Tag(start)) break; // a 128-byte ID3v1 tag at the very end
                throw UserError.inFile(file, "unexpected bytes at offset " + start + " after " + frame + " frames (not a FLAC frame)");
            }
            int blockSize;
            try {
                blockSize = decodeFrame(info, block);
            } catch (Corrupt e) {
                throw UserError.inFile(file, "FLAC frame " + frame + " (byte offset " + start + ") is corrupt: " + e.getMessage());
            }

            if (written + (long) blockSize > out[0].length) {
                long grown = Math.max((long) written + blockSize, 2L * out[0].length);
                if (grown > Integer.MAX_VALUE - 8) throw UserError.inFile(file, "too long (more than 2^31 samples per channel)");
                for (int c = 0; c < channelCount; c++) out[c] = Arrays.copyOf(out[c], (int) grown);
            }
            for (int c = 0; c < channelCount; c++) {
                long[] samples = block[c];
                float[] dst = out[c];
                for (int i = 0; i < blockSize; i++) dst[written + i] = samples[i] * scale;
            }
            if (md5 != null) {
                // The signature covers the samples interleaved, little-endian, in whole bytes.
                int bytesPerSample = (info.bitsPerSample + 7) / 8;
                int needed = blockSize * channelCount * bytesPerSample;
                if (md5Bytes.length < needed) md5Bytes = new byte[needed];
                int p = 0;
                for (int i = 0; i < blockSize; i++) {
                    for (int c = 0; c < channelCount; c++) {
                        long v = block[c][i];
                        for (int k = 0; k < bytesPerSample; k++) md5Bytes[p++] = (byte) (v >> (8 * k));
                    }
                }
                md5.update(md5Bytes, 0, needed);
            }
            written += blockSize;
        }
        if (written == 0) throw UserError.inFile(file, "FLAC file contains no audio samples");
        if (md5 != null && written == info.totalSamples && !Arrays.equals(md5.digest(), info.md5)) {
            throw UserError.inFile(file, "decoded audio does not match the MD5 signature in STREAMINFO (the file is corrupt)");
        }
        for (int c = 0; c < channelCount; c++) {
            if (out[c].length != written) out[c] = Arrays.copyOf(out[c], written);
        }
        return new PcmChannels(out, info.sampleRate, info.bitsPerSample);
    }

    // ---------------------------------------------------------------- metadata

    /** Length of an ID3v2 tag at the start of the bytes (0 if there is none). */
    private static int id3v2Length(byte[] b, int n) {
        if (n < 10 || b[0] != 'I' || b[1] != 'D' || b[2] != '3') return 0;
        // Size: four "syncsafe" bytes of 7 bits each; a footer (flag 0x10) adds another 10 bytes.
        int size = (b[6] & 0x7F) << 21 | (b[7] & 0x7F) << 14 | (b[8] & 0x7F) << 7 | (b[9] & 0x7F);
        return 10 + size + ((b[5] & 0x10) != 0 ? 10 : 0);
    }

    /**
     * Parses "fLaC" at pos, STREAMINFO and (if walkAllBlocks) skips the other blocks up to the
     * first frame.
     */
    private StreamInfo readMetadata(int pos, boolean walkAllBlocks) {
        if (pos + 4 > data.length || data[pos] != 'f' || data[pos + 1] != 'L' || data[pos + 2] != 'a' || data[pos + 3] != 'C') {
            throw UserError.inFile(file, "not a FLAC file (no fLaC marker)");
        }
        pos += 4;
        StreamInfo info = null;
        for (boolean last = false; !last; ) {
            if (pos + 4 > data.length) throw UserError.inFile(file, "FLAC metadata is truncated");
            int header = data[pos] & 0xFF;
            last = (header & 0x80) != 0;
            int type = header & 0x7F;
            int length = (data[pos + 1] & 0xFF) << 16 | (data[pos + 2] & 0xFF) << 8 | (data[pos + 3] & 0xFF);
            pos += 4;
            if (info == null && type != 0) throw UserError.inFile(file, "FLAC stream does not start with a STREAMINFO block");
            if (type == 127) throw UserError.inFile(file, "FLAC metadata block of the invalid type 127");
            if (type == 0) {
                if (length != 34 || pos + 34 > data.length) throw UserError.inFile(file, "FLAC STREAMINFO block is truncated or has the wrong size (" + length + ")");
                info = parseStreamInfo(pos);
                if (!walkAllBlocks) return info;
            }
            pos += length;
            if (pos > data.length) throw UserError.inFile(file, "FLAC metadata is truncated (a block runs past the end of the file)");
        }
        return new StreamInfo(info.maxBlockSize, info.sampleRate, info.channels, info.bitsPerSample, info.totalSamples, info.md5, pos);
    }

    /** STREAMINFO (RFC 9639 8.2): min/max block size u16, min/max frame size u24, then 20+3+5+36 bits, then MD5. */
    private StreamInfo parseStreamInfo(int p) {
        int maxBlock = (data[p + 2] & 0xFF) << 8 | (data[p + 3] & 0xFF);
        long bits = 0;
        for (int i = 0; i < 8; i++) bits = bits << 8 | (data[p + 10 + i] & 0xFF);
        int sampleRate = (int) (bits >>> 44);
        int channels = (int) ((bits >>> 41) & 0x7) + 1;
        int bitsPerSample = (int) ((bits >>> 36) & 0x1F) + 1;
        long totalSamples = bits & 0xFFFFFFFFFL;
        if (sampleRate == 0) throw UserError.inFile(file, "FLAC STREAMINFO has sample rate 0");
        if (bitsPerSample < 4) throw UserError.inFile(file, "FLAC STREAMINFO has an invalid bit depth (" + bitsPerSample + ")");
        byte[] md5 = Arrays.copyOfRange(data, p + 18, p + 34);
        return new StreamInfo(maxBlock, sampleRate, channels, bitsPerSample, totalSamples, md5, -1);
    }

    // ---------------------------------------------------------------- frames

    /**
     * Decodes one frame (RFC 9639 9) into block[c][0..blockSize) and returns blockSize. The
     * reader is at the frame's first byte; afterwards it is just past the frame's CRC-16.
     */
    private int decodeFrame(StreamInfo info, long[][] block) {
        int start = bytePosition();
        if (readBits(15) != 0x7FFC) throw new Corrupt("no frame sync code (lost sync)");
        readBits(1); // blocking strategy: fixed or variable block size; the header says the size either way
        int blockSizeCode = (int) readBits(4);
        int sampleRateCode = (int) readBits(4);
        int channelCode = (int) readBits(4);
        int sampleSizeCode = (int) readBits(3);
        if (readBits(1) != 0) throw new Corrupt("reserved header bit is set");
        readCodedNumber(); // frame number or first sample number, UTF-8-like coded; not needed

        int blockSize = switch (blockSizeCode) {
            case 0 -> throw new Corrupt("reserved block size code 0");
            case 1 -> 192;
            case 2, 3, 4, 5 -> 576 << (blockSizeCode - 2);
            case 6 -> (int) readBits(8) + 1;
            case 7 -> (int) readBits(16) + 1;
            default -> 256 << (blockSizeCode - 8);
        };
        switch (sampleRateCode) {
            case 12 -> readBits(8);        // kHz
            case 13, 14 -> readBits(16);   // Hz, tens of Hz
            case 15 -> throw new Corrupt("invalid sample rate code 15");
            default -> { } // coded in the 4 bits or "see STREAMINFO"; STREAMINFO's rate is used
        }
        int bitsPerSample = switch (sampleSizeCode) {
            case 0 -> info.bitsPerSample;
            case 1 -> 8;
            case 2 -> 12;
            case 4 -> 16;
            case 5 -> 20;
            case 6 -> 24;
            case 7 -> 32;
            default -> throw new Corrupt("reserved sample size code 3");
        };
        int headerEnd = bytePosition();
        int storedCrc8 = (int) readBits(8);
        if (crc8(data, start, headerEnd) != storedCrc8) throw new Corrupt("frame header CRC-8 mismatch");

        if (bitsPerSample != info.bitsPerSample) {
            throw new Corrupt("bit depth " + bitsPerSample + " differs from STREAMINFO's " + info.bitsPerSample);
        }
        int channels = channelCode < 8 ? channelCode + 1 : 2;
        if (channelCode > 10) throw new Corrupt("reserved channel assignment " + channelCode);
        if (channels != info.channels) throw new Corrupt(channels + " channels, but STREAMINFO says " + info.channels);
        for (int c = 0; c < channels; c++) {
            if (block[c].length < blockSize) block[c] = new long[blockSize];
        }

        // The side channel (difference of two channels) needs one bit more than the others.
        for (int c = 0; c < channels; c++) {
            boolean side = (channelCode == 8 && c == 1) || (channelCode == 9 && c == 0) || (channelCode == 10 && c == 1);
            decodeSubframe(block[c], blockSize, bitsPerSample + (side ? 1 : 0));
        }
        dropToByteBoundary(); // zero padding to the byte boundary
        int crcPosition = bytePosition();
        if (crcPosition + 2 > data.length) throw new Corrupt("file ends inside the frame");
        int storedCrc16 = (int) readBits(16);
        if (crc16(data, start, crcPosition) != storedCrc16) throw new Corrupt("CRC-16 mismatch");

        long[] a = block[0];
        long[] b = channels > 1 ? block[1] : null;
        switch (channelCode) {
            case 8 -> { // left, side: right = left - side
                for (int i = 0; i < blockSize; i++) b[i] = a[i] - b[i];
            }
            case 9 -> { // side, right: left = side + right
                for (int i = 0; i < blockSize; i++) a[i] = a[i] + b[i];
            }
            case 10 -> { // mid, side: mid was stored as floor((L+R)/2); side's lowest bit restores the dropped bit
                for (int i = 0; i < blockSize; i++) {
                    long side = b[i];
                    long mid = (a[i] << 1) | (side & 1);
                    a[i] = (mid + side) >> 1;
                    b[i] = (mid - side) >> 1;
                }
            }
            default -> { } // independent channels
        }
        return blockSize;
    }

    /** The UTF-8-style variable-length frame/sample number (up to 7 bytes, 36 bits). */
    private long readCodedNumber() {
        int first = (int) readBits(8);
        int extraBytes;
        long value;
        if ((first & 0x80) == 0) { extraBytes = 0; value = first; }
        else if ((first & 0xE0) == 0xC0) { extraBytes = 1; value = first & 0x1F; }
        else if ((first & 0xF0) == 0xE0) { extraBytes = 2; value = first & 0x0F; }
        else if ((first & 0xF8) == 0xF0) { extraBytes = 3; value = first & 0x07; }
        else if ((first & 0xFC) == 0xF8) { extraBytes = 4; value = first & 0x03; }
        else if ((first & 0xFE) == 0xFC) { extraBytes = 5; value = first & 0x01; }
        else if (first == 0xFE) { extraBytes = 6; value = 0; }
        else throw new Corrupt("invalid coded frame number");
        for (int i = 0; i < extraBytes; i++) {
            int next = (int) readBits(8);
            if ((next & 0xC0) != 0x80) throw new Corrupt("invalid coded frame number");
            value = value << 6 | (next & 0x3F);
        }
        return value;
    }

    /** One subframe (RFC 9639 9.2) of blockSize samples with the given bits per sample. */
    private void decodeSubframe(long[] out, int blockSize, int bitsPerSample) {
        if (readBits(1) != 0) throw new Corrupt("subframe padding bit is set");
        int type = (int) readBits(6);
        int wasted = 0;
        if (readBits(1) == 1) wasted = (int) readUnary() + 1; // the low bits every sample of this subframe has zero
        if (wasted >= bitsPerSample) throw new Corrupt(wasted + " wasted bits of " + bitsPerSample);
        int bits = bitsPerSample - wasted;

        if (type == 0) { // CONSTANT: one value for the whole block
            long value = readSigned(bits);
            Arrays.fill(out, 0, blockSize, value);
        } else if (type == 1) { // VERBATIM: raw samples
            for (int i = 0; i < blockSize; i++) out[i] = readSigned(bits);
        } else if (type >= 8 && type <= 12) {
            decodeFixed(out, blockSize, bits, type - 8);
        } else if (type >= 32) {
            decodeLpc(out, blockSize, bits, type - 31);
        } else {
            throw new Corrupt("reserved subframe type " + type);
        }
        if (wasted > 0) {
            for (int i = 0; i < blockSize; i++) out[i] <<= wasted;
        }
    }

    /**
     * FIXED: warm-up samples, then residuals of a fixed polynomial predictor of order 0-4
     * (RFC 9639 9.2.5): the prediction is the binomial extrapolation of the previous samples.
     */
    private void decodeFixed(long[] s, int n, int bits, int order) {
        if (order > n) throw new Corrupt("predictor order " + order + " exceeds block size " + n);
        for (int i = 0; i < order; i++) s[i] = readSigned(bits);
        readResidual(s, n, order);
        switch (order) {
            case 0 -> { }
            case 1 -> { for (int i = 1; i < n; i++) s[i] += s[i - 1]; }
            case 2 -> { for (int i = 2; i < n; i++) s[i] += 2 * s[i - 1] - s[i - 2]; }
            case 3 -> { for (int i = 3; i < n; i++) s[i] += 3 * s[i - 1] - 3 * s[i - 2] + s[i - 3]; }
            case 4 -> { for (int i = 4; i < n; i++) s[i] += 4 * s[i - 1] - 6 * s[i - 2] + 4 * s[i - 3] - s[i - 4]; }
            default -> throw new IllegalStateException();
        }
    }

    /**
     * LPC (RFC 9639 9.2.6): warm-up samples, coefficient precision (4 bits, +1), right shift
     * (5-bit signed, must not be negative), the quantized coefficients, then residuals;
     * s[i] = residual[i] + (sum_j coef[j] * s[i-1-j]) >> shift.
     */
    private void decodeLpc(long[] s, int n, int bits, int order) {
        if (order > n) throw new Corrupt("predictor order " + order + " exceeds block size " + n);
        for (int i = 0; i < order; i++) s[i] = readSigned(bits);
        int precision = (int) readBits(4) + 1;
        if (precision == 16) throw new Corrupt("invalid LPC coefficient precision");
        int shift = (int) readSigned(5);
        if (shift < 0) throw new Corrupt("negative LPC shift");
        long[] coef = new long[order];
        for (int j = 0; j < order; j++) coef[j] = readSigned(precision);
        readResidual(s, n, order);
        for (int i = order; i < n; i++) {
            long sum = 0;
            for (int j = 0; j < order; j++) sum += coef[j] * s[i - 1 - j];
            s[i] += sum >> shift;
        }
    }

    /**
     * Partitioned Rice residual (RFC 9639 9.2.7) into s[order..n). Method 0 has 4-bit Rice
     * parameters, method 1 ("Rice2") 5-bit; the all-ones parameter marks an escaped partition of
     * raw signed numbers of a 5-bit-coded width. A Rice code is a unary quotient q (q zeros, a one)
     * and k low bits: u = q * 2^k + low, folded back to signed: (u >> 1) xor -(u and 1).
     */
    private void readResidual(long[] s, int n, int order) {
        int method = (int) readBits(2);
        if (method > 1) throw new Corrupt("reserved residual coding method " + method);
        int parameterBits = method == 0 ? 4 : 5;
        int escape = (1 << parameterBits) - 1;
        int partitionOrder = (int) readBits(4);
        int partitionSize = n >> partitionOrder;
        if (partitionSize << partitionOrder != n || partitionSize < order) {
            throw new Corrupt("residual partition order " + partitionOrder + " does not fit block size " + n + " with predictor order " + order);
        }
        int i = order;
        for (int partition = 0; partition < (1 << partitionOrder); partition++) {
            int end = (partition + 1) * partitionSize;
            int k = (int) readBits(parameterBits);
            if (k == escape) {
                int rawBits = (int) readBits(5);
                for (; i < end; i++) s[i] = readSigned(rawBits);
            } else {
                for (; i < end; i++) {
                    long u = (readUnary() << k) | readBits(k);
                    s[i] = (u >>> 1) ^ -(u & 1);
                }
            }
        }
    }

    // ---------------------------------------------------------------- bit reader

    private void startReadingAt(int bytePosition) {
        nextByte = bytePosition;
        cache = 0;
        cacheBits = 0;
    }

    /** Byte offset of the next unread bit (exact when byte aligned). */
    private int bytePosition() {
        return nextByte - cacheBits / 8;
    }

    private void dropToByteBoundary() {
        int drop = cacheBits % 8;
        cache <<= drop;
        cacheBits -= drop;
    }

    /** Tops the cache up to at least 57 bits (fewer at the end of the data). */
    private void refill() {
        while (cacheBits <= 56 && nextByte < data.length) {
            cache |= (data[nextByte++] & 0xFFL) << (56 - cacheBits);
            cacheBits += 8;
        }
    }

    /** The next n bits (0 <= n <= 57) as an unsigned number. */
    private long readBits(int n) {
        if (n == 0) return 0;
        if (cacheBits < n) {
            refill();
            if (cacheBits < n) throw new Corrupt("file ends inside the frame");
        }
        long value = cache >>> (64 - n);
        cache <<= n;
        cacheBits -= n;
        return value;
    }

    /** The next n bits as a two's complement signed number. */
    private long readSigned(int n) {
        if (n == 0) return 0;
        return readBits(n) << (64 - n) >> (64 - n);
    }

    /** Counts zero bits up to and including the next one bit; returns the count of zeros. */
    private long readUnary() {
        long zeros = 0;
        while (true) {
            if (cacheBits == 0) {
                refill();
                if (cacheBits == 0) throw new Corrupt("file ends inside the frame");
            }
            int leading = Long.numberOfLeadingZeros(cache); // 64 when the cache holds only zeros
            if (leading < cacheBits) {
                zeros += leading;
                cache = leading == 63 ? 0 : cache << (leading + 1);
                cacheBits -= leading + 1;
                return zeros;
            }
            zeros += cacheBits;
            cache = 0;
            cacheBits = 0;
        }
    }

    private boolean looksLikeFrameStart(int p) {
        return p + 1 < data.length && (data[p] & 0xFF) == 0xFF && (data[p + 1] & 0xFE) == 0xF8;
    }

    private boolean isId3v1Tag(int p) {
        return data.length - p == 128 && data[p] == 'T' && data[p + 1] == 'A' && data[p + 2] == 'G';
    }

    // ---------------------------------------------------------------- checksums

    private static final int[] CRC8_TABLE = new int[256];
    private static final int[] CRC16_TABLE = new int[256];
    static {
        // CRC-8 with polynomial x^8 + x^2 + x + 1 (0x07) and CRC-16 with x^16 + x^15 + x^2 + 1
        // (0x8005), both most significant bit first, initial value 0 (RFC 9639 9.1.8, 9.3).
        for (int i = 0; i < 256; i++) {
            int c8 = i;
            for (int k = 0; k < 8; k++) c8 = (c8 & 0x80) != 0 ? (c8 << 1) ^ 0x07 : c8 << 1;
            CRC8_TABLE[i] = c8 & 0xFF;
            int c16 = i << 8;
            for (int k = 0; k < 8; k++) c16 = (c16 & 0x8000) != 0 ? (c16 << 1) ^ 0x8005 : c16 << 1;
            CRC16_TABLE[i] = c16 & 0xFFFF;
        }
    }

    static int crc8(byte[] b, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) crc = CRC8_TABLE[(crc ^ b[i]) & 0xFF];
        return crc;
    }

    static int crc16(byte[] b, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) crc = ((crc << 8) ^ CRC16_TABLE[((crc >> 8) ^ b[i]) & 0xFF]) & 0xFFFF;
        return crc;
    }

    private static boolean hasSignature(byte[] md5) {
        for (byte x : md5) if (x != 0) return true;
        return false; // an encoder that did not compute the MD5 stores zeros
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides MD5", e);
        }
    }
}
