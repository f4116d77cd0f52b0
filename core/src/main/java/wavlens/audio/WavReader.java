package wavlens.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import wavlens.io.UserError;

/**
 * Reads RIFF/WAVE files in pure Java.
 *
 * <p>Encodings: integer PCM (8-bit unsigned; 16, 24, 32-bit signed), IEEE float (32, 64-bit),
 * G.711 A-law and µ-law, and all of these inside WAVE_FORMAT_EXTENSIBLE (the sub-format GUID picks
 * the encoding; a container wider than the valid bits, e.g. 20 bits in 24, is scaled by the
 * container). Any channel count and sample rate. RF64 / BW64 (files over 4 GB) are read through
 * their ds64 chunk. Chunks other than fmt/data (LIST, fact, cue, ...) are skipped, with the pad
 * byte after odd-sized chunks. A data chunk whose size is 0xFFFFFFFF or runs past the end of the
 * file (written by a streaming recorder that never went back to fix the header, or cut off) is
 * read as far as the file goes, in whole frames.
 *
 * <p>Scaling follows soundfile / torchaudio (see {@link PcmChannels}); A-law and µ-law are first
 * expanded to 16-bit linear (ITU-T G.711) and then divided by 32768, as libsndfile does.
 *
 * <p>Every problem with the file is a {@link UserError} "file: problem".
 */
public final class WavReader {
    private WavReader() {}

    // Format tags from the Windows mmreg.h registry.
    private static final int TAG_PCM = 0x0001;
    private static final int TAG_FLOAT = 0x0003;
    private static final int TAG_ALAW = 0x0006;
    private static final int TAG_MULAW = 0x0007;
    private static final int TAG_EXTENSIBLE = 0xFFFE;

    /** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID (xxxxxxxx-0000-0010-8000-00AA00389B71); bytes 0..1 hold the format tag. */
    private static final byte[] GUID_TAIL = {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71};

    enum Encoding { U8, S16, S24, S32, F32, F64, ALAW, MULAW }

    /** What the header says: how to interpret the samples and where they are. */
    record Format(Encoding encoding, int channels, int sampleRate, int bitsPerSample, int blockAlign,
                  long dataOffset, long frames) {}

    /** Reads every channel of a WAV file. */
    public static PcmChannels read(Path file) {
        try (FileChannel ch = AudioFile.open(file)) {
            Format format = readFormat(file, ch);
            if (format.frames > Integer.MAX_VALUE - 8) {
                throw UserError.inFile(file, "too long: " + format.frames + " samples per channel (at most 2^31 can be held in memory)");
            }
            int frames = (int) format.frames;
            float[][] channels = new float[format.channels][frames];
            int framesPerBlock = Math.max(1, (1 << 20) / format.blockAlign);
            ByteBuffer block = ByteBuffer.allocate(framesPerBlock * format.blockAlign).order(ByteOrder.LITTLE_ENDIAN);
            long position = format.dataOffset;
            for (int done = 0; done < frames; ) {
                int count = Math.min(framesPerBlock, frames - done);
                block.clear().limit(count * format.blockAlign);
                while (block.hasRemaining()) {
                    int n = ch.read(block, position + block.position());
                    if (n < 0) throw UserError.inFile(file, "file shrank while being read");
                }
                decodeBlock(block, format, channels, done, count);
                done += count;
                position += (long) count * format.blockAlign;
            }
            return new PcmChannels(channels, format.sampleRate, format.bitsPerSample);
        } catch (IOException e) {
            throw AudioFile.ioProblem(file, e);
        }
    }

    /** Duration from the header alone (data size / bytes per frame / sample rate); reads no samples. */
    public static double durationSeconds(Path file) {
        try (FileChannel ch = AudioFile.open(file)) {
            Format format = readFormat(file, ch);
            return format.frames / (double) format.sampleRate;
        } catch (IOException e) {
            throw AudioFile.ioProblem(file, e);
        }
    }

    /** Walks the chunk list and checks the fmt chunk; refuses anything it cannot decode. */
    static Format readFormat(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0) throw UserError.inFile(file, "empty file (0 bytes)");
        ByteBuffer head = readAt(ch, 0, 12);
        if (head.remaining() < 12) throw UserError.inFile(file, "too short to be a WAV file (" + size + " bytes)");
        String riff = ascii(head, 0);
        String wave = ascii(head, 8);
        if (riff.equals("RIFX")) throw UserError.inFile(file, "big-endian (RIFX) WAV is not supported; convert with sox");
        boolean rf64 = riff.equals("RF64") || riff.equals("BW64");
        if (!(riff.equals("RIFF") || rf64) || !wave.equals("WAVE")) {
            throw UserError.inFile(file, "not a WAV file (no RIFF/WAVE header)");
        }

        ByteBuffer fmt = null;
        long fmtDeclaredSize = 0;
        long dataOffset = -1, dataSize = -1;
        long ds64DataSize = -1;
        long pos = 12;
        while (pos + 8 <= size && (fmt == null || dataOffset < 0)) {
            ByteBuffer chunkHeader = readAt(ch, pos, 8);
            String id = ascii(chunkHeader, 0);
            long chunkSize = chunkHeader.getInt(4) & 0xFFFFFFFFL;
            long body = pos + 8;
            switch (id) {
                case "ds64" -> {
                    // ds64 (EBU Tech 3306): riffSize u64, dataSize u64, sampleCount u64, table.
                    ByteBuffer ds64 = readAt(ch, body, 24);
                    if (ds64.remaining() >= 16) ds64DataSize = ds64.getLong(8);
                }
                case "fmt " -> {
                    fmt = readAt(ch, body, (int) Math.min(chunkSize, 64));
                    fmtDeclaredSize = chunkSize;
                }
                case "data" -> {
                    dataOffset = body;
                    dataSize = chunkSize;
                    if (rf64 && chunkSize == 0xFFFFFFFFL && ds64DataSize >= 0) dataSize = ds64DataSize;
                    // A streaming writer leaves 0xFFFFFFFF (or a large guess) and a cut file is
                    // shorter than its header says: the samples are whatever follows, up to the end.
                    boolean unknownSize = chunkSize == 0xFFFFFFFFL && dataSize == chunkSize;
                    if (unknownSize || dataSize < 0 || body + dataSize > size) dataSize = size - body;
                }
                default -> { }
            }
            pos = body + chunkSize + (chunkSize & 1); // chunks are padded to an even size
        }
        if (fmt == null) throw UserError.inFile(file, "WAV header is truncated or damaged: no 'fmt ' chunk");
        if (fmt.remaining() < 16 || fmtDeclaredSize < 16) {
            throw UserError.inFile(file, "WAV header is truncated: the 'fmt ' chunk has " + fmt.remaining() + " of at least 16 bytes");
        }
        if (dataOffset < 0) throw UserError.inFile(file, "WAV file has no 'data' chunk (truncated?)");

        int tag = fmt.getShort(0) & 0xFFFF;
        int channels = fmt.getShort(2) & 0xFFFF;
        long sampleRate = fmt.getInt(4) & 0xFFFFFFFFL;
        int blockAlign = fmt.getShort(12) & 0xFFFF;
        int bits = fmt.getShort(14) & 0xFFFF;
        if (tag == TAG_EXTENSIBLE) {
            // WAVEFORMATEXTENSIBLE: cbSize(2) validBits(2) channelMask(4) subFormat GUID(16).
            if (fmt.remaining() < 40) throw UserError.inFile(file, "WAVE_FORMAT_EXTENSIBLE header is truncated (" + fmt.remaining() + " of 40 bytes)");
            tag = fmt.getShort(24) & 0xFFFF;
            for (int i = 0; i < GUID_TAIL.length; i++) {
                if (fmt.get(26 + i) != GUID_TAIL[i]) throw UserError.inFile(file, "WAVE_FORMAT_EXTENSIBLE with an unknown sub-format GUID is not supported; convert with sox");
            }
        }
        if (channels == 0) throw UserError.inFile(file, "WAV header says the file has 0 channels");
        if (sampleRate == 0 || sampleRate > Integer.MAX_VALUE) throw UserError.inFile(file, "WAV header has an invalid sample rate (" + sampleRate + ")");

        Encoding encoding;
        int bytesPerSample = (bits + 7) / 8; // bits not a multiple of 8 are left-justified in the next whole byte (Microsoft's rule)
        switch (tag) {
            case TAG_PCM -> {
                encoding = switch (bytesPerSample) {
                    case 1 -> Encoding.U8;
                    case 2 -> Encoding.S16;
                    case 3 -> Encoding.S24;
                    case 4 -> Encoding.S32;
                    default -> throw UserError.inFile(file, bits + "-bit integer PCM is not supported (8, 16, 24 or 32 bits); convert with sox");
                };
            }
            case TAG_FLOAT -> {
                if (bits != 32 && bits != 64) throw UserError.inFile(file, bits + "-bit float WAV is not supported (32 or 64 bits)");
                encoding = bits == 32 ? Encoding.F32 : Encoding.F64;
            }
            case TAG_ALAW, TAG_MULAW -> {
                if (bits != 8) throw UserError.inFile(file, bits + "-bit G.711 is invalid (A-law and µ-law samples are 8 bits)");
                encoding = tag == TAG_ALAW ? Encoding.ALAW : Encoding.MULAW;
            }
            default -> throw UserError.inFile(file, formatName(tag) + " WAV is not supported; convert with sox (sox in.wav -e signed-integer -b 16 out.wav)");
        }
        if (blockAlign != channels * bytesPerSample) {
            throw UserError.inFile(file, "WAV header is inconsistent: " + channels + " channel(s) of " + bits + "-bit samples take "
                    + channels * bytesPerSample + " bytes per frame, but the header's block align says " + blockAlign);
        }
        long frames = dataSize / blockAlign; // a partial frame at the end (cut-off file) is dropped
        if (frames == 0) throw UserError.inFile(file, "WAV file contains no audio samples");
        return new Format(encoding, channels, (int) sampleRate, bytesPerSample * 8, blockAlign, dataOffset, frames);
    }

    private static String formatName(int tag) {
        return switch (tag) {
            case 0x0002, 0x0011 -> "ADPCM"; // Microsoft ADPCM, IMA ADPCM
            case 0x0031 -> "GSM 6.10";
            case 0x0050, 0x0055 -> "MPEG / MP3";
            default -> String.format("format tag 0x%04X", tag);
        };
    }

    /** Converts count interleaved frames from the buffer into channels[c][start..start+count). */
    private static void decodeBlock(ByteBuffer b, Format format, float[][] channels, int start, int count) {
        int nc = format.channels;
        int p = 0;
        switch (format.encoding) {
            case U8 -> {
                for (int f = 0; f < count; f++) for (int c = 0; c < nc; c++) channels[c][start + f] = ((b.get(p++) & 0xFF) - 128) / 128f;
            }
            case S16 -> {
                for (int f = 0; f < count; f++) for (int c = 0; c < nc; c++, p += 2) channels[c][start + f] = b.getShort(p) / 32768f;
            }
            case S24 -> {
                for (int f = 0; f < count; f++) {
                    for (int c = 0; c < nc; c++, p += 3) {
                        int v = (b.get(p) & 0xFF) | (b.get(p + 1) & 0xFF) << 8 | b.get(p + 2) << 16; // top byte sign-extends
                        channels[c][start + f] = v / 8388608f;
                    }
                }
            }
            case S32 -> {
                for (int f = 0; f < count; f++) for (int c = 0; c < nc; c++, p += 4) channels[c][start + f] = (float) (b.getInt(p) / 2147483648.0);
            }
            case F32 -> {
                for (int f = 0; f < count; f++) for (int c = 0; c < nc; c++, p += 4) channels[c][start + f] = b.getFloat(p);
            }
            case F64 -> {
                for (int f = 0; f < count; f++) for (int c = 0; c < nc; c++, p += 8) channels[c][start + f] = (float) b.getDouble(p);
            }
            case ALAW -> {
                for (int f = 0; f < count; f++) for (int c = 0; c < nc; c++) channels[c][start + f] = alawToLinear(b.get(p++)) / 32768f;
            }
            case MULAW -> {
                for (int f = 0; f < count; f++) for (int c = 0; c < nc; c++) channels[c][start + f] = mulawToLinear(b.get(p++)) / 32768f;
            }
        }
    }

    /**
     * G.711 µ-law to 16-bit linear. The byte is stored inverted; it holds a sign, a 3-bit segment
     * (exponent) and a 4-bit step; the magnitude is ((step * 2 + 33) << segment) - 33 in 14-bit
     * units, scaled here by 4 to 16 bits: ((step << 3) + 0x84) << segment, minus the 0x84 bias.
     */
    static int mulawToLinear(byte code) {
        int u = ~code & 0xFF;
        int magnitude = (((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 0x07);
        return (u & 0x80) != 0 ? 0x84 - magnitude : magnitude - 0x84;
    }

    /**
     * G.711 A-law to 16-bit linear. Even bits are inverted (xor 0x55); segment 0 is linear,
     * segment s > 0 has the implicit leading one: (step * 2 + 33) << (s - 1), in 13-bit units,
     * scaled by 8 to 16 bits. A set sign bit means positive.
     */
    static int alawToLinear(byte code) {
        int a = (code ^ 0x55) & 0xFF;
        int step = a & 0x0F;
        int segment = (a >> 4) & 0x07;
        int magnitude = segment == 0 ? (step << 4) + 8 : ((step << 4) + 0x108) << (segment - 1);
        return (a & 0x80) != 0 ? magnitude : -magnitude;
    }

    /** Up to n bytes at pos (fewer at the end of the file), little-endian, positioned at 0. */
    private static ByteBuffer readAt(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) break;
        }
        return b.flip();
    }

    private static String ascii(ByteBuffer b, int offset) {
        byte[] id = new byte[4];
        b.get(offset, id);
        return new String(id, StandardCharsets.ISO_8859_1);
    }
}
