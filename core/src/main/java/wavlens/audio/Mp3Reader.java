package wavlens.audio;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.BitstreamException;
import javazoom.jl.decoder.DecoderException;
import javazoom.jl.decoder.Header;
import javazoom.jl.decoder.SampleBuffer;
import wavlens.io.UserError;

/**
 * MPEG audio (MPEG-1, MPEG-2 and MPEG-2.5; layer III as Common Voice ships it, and layers I/II).
 *
 * <p>The frames are found and checked here (ISO 11172-3 / 13818-3 headers: sync, version, layer,
 * bitrate, sample rate, padding), so that tags (ID3v2 in front, ID3v1 / APE at the end) are
 * skipped, a cut-off last frame or non-MPEG bytes in the middle are named by byte offset, and the
 * Xing/Info or VBRI frame (an empty frame that carries the frame count) is not decoded as audio.
 * The frames themselves are decoded by JLayer.
 *
 * <p>Gapless length: LAME writes its encoder delay and end padding into the Info/Xing frame
 * ("LAME tag", bytes 21-23 after "LAME": 12 bits each). A decoder adds 529 samples of its own delay
 * (the polyphase filterbank and the IMDCT overlap). As ffmpeg does, the first delay + 529 samples
 * and the last padding − 529 are dropped, so the output has the encoder's input length; without a
 * LAME tag nothing is dropped.
 */
final class Mp3Reader {
    private Mp3Reader() {}

    /** ISO 11172-3 decoder delay of layer III (528 + 1 samples), as LAME and ffmpeg count it. */
    static final int DECODER_DELAY = 529;

    /** One frame header. */
    record FrameHeader(int version /* 1, 2 or 25 */, int layer, int bitrateKbps, int sampleRate, int channels,
                       int length, int samplesPerFrame) {}

    /** The frames of a file and what its Xing/Info/VBRI/LAME header says. */
    record Frames(List<int[]> ranges /* {offset, length} of each audio frame */, FrameHeader first,
                  long declaredFrames, int encoderDelay, int encoderPadding, boolean gapless) {
        /** The decoded length in samples per channel, as the gapless info makes it. */
        long samples(long frameCount) {
            long n = frameCount * first.samplesPerFrame;
            return gapless ? Math.max(0, n - encoderDelay - encoderPadding) : n;
        }
    }

    private static final int[][] BITRATES = { // kbps by [version/layer row][index]
            {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448}, // MPEG-1 layer I
            {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},    // MPEG-1 layer II
            {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},     // MPEG-1 layer III
            {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},    // MPEG-2/2.5 layer I
            {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},         // MPEG-2/2.5 layers II, III
    };
    private static final int[] RATES_MPEG1 = {44100, 48000, 32000};

    /** Parses the 4 header bytes at p; null if they are not a valid MPEG audio frame header. */
    static FrameHeader header(byte[] d, int p) {
        if (p + 4 > d.length) return null;
        int h = (d[p] & 0xFF) << 24 | (d[p + 1] & 0xFF) << 16 | (d[p + 2] & 0xFF) << 8 | (d[p + 3] & 0xFF);
        if ((h >>> 21) != 0x7FF) return null;
        int versionBits = (h >>> 19) & 3, layerBits = (h >>> 17) & 3, bitrateIndex = (h >>> 12) & 15;
        int rateIndex = (h >>> 10) & 3, padding = (h >>> 9) & 1, mode = (h >>> 6) & 3;
        if (versionBits == 1 || layerBits == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) return null;
        int version = versionBits == 3 ? 1 : versionBits == 2 ? 2 : 25;
        int layer = 4 - layerBits;
        int rate = RATES_MPEG1[rateIndex] / (version == 1 ? 1 : version == 2 ? 2 : 4);
        int row = version == 1 ? layer - 1 : layer == 1 ? 3 : 4;
        int kbps = BITRATES[row][bitrateIndex];
        int length, spf;
        if (layer == 1) {
            length = (12 * kbps * 1000 / rate + padding) * 4;
            spf = 384;
        } else {
            int slots = layer == 3 && version != 1 ? 72 : 144;
            length = slots * kbps * 1000 / rate + padding;
            spf = layer == 3 && version != 1 ? 576 : 1152;
        }
        return new FrameHeader(version, layer, kbps, rate, mode == 3 ? 1 : 2, length, spf);
    }

    /** Length of an ID3v2 tag at p (10-byte header + size + optional 10-byte footer), 0 if none. */
    static int id3v2Length(byte[] d, int p) {
        if (p + 10 > d.length || d[p] != 'I' || d[p + 1] != 'D' || d[p + 2] != '3') return 0;
        int size = (d[p + 6] & 0x7F) << 21 | (d[p + 7] & 0x7F) << 14 | (d[p + 8] & 0x7F) << 7 | (d[p + 9] & 0x7F);
        boolean footer = (d[p + 5] & 0x10) != 0;
        return 10 + size + (footer ? 10 : 0);
    }

    /** Where the first frame starts: after ID3v2 tags, at a header followed by another (or the end). */
    static int firstFrame(Object source, byte[] d) {
        int p = 0;
        for (int tag; (tag = id3v2Length(d, p)) > 0; ) p += tag;
        if (p >= d.length) throw UserError.inFile(source, "MP3 file holds only an ID3 tag, no audio frames");
        int limit = Math.min(d.length, p + 64 * 1024); // padding or junk after a tag is short
        for (int q = p; q < limit; q++) {
            FrameHeader h = header(d, q);
            if (h == null) continue;
            if (q + h.length == d.length || (q + h.length < d.length && header(d, q + h.length) != null)) return q;
            if (q + h.length > d.length && q == p) return q; // a single frame cut off: reported by frames()
        }
        throw UserError.inFile(source, "no MPEG audio frame found" + (p > 0 ? " after the ID3 tag" : "") + " (not an MP3 file, or damaged)");
    }

    /** Walks every frame from the first to the end; a gap of non-MPEG bytes or a cut-off frame is an error. */
    static Frames frames(Object source, byte[] d) {
        int p = firstFrame(source, d);
        FrameHeader first = header(d, p);
        List<int[]> ranges = new ArrayList<>();
        long declared = -1;
        int delay = 0, padding = 0;
        boolean gapless = false;
        // The Xing/Info frame sits after the side information; VBRI 32 bytes after the header.
        int sideInfo = first.version == 1 ? (first.channels == 1 ? 17 : 32) : (first.channels == 1 ? 9 : 17);
        int x = p + 4 + sideInfo;
        boolean infoFrame = false;
        if (first.layer == 3 && (ascii(d, x, "Xing") || ascii(d, x, "Info"))) {
            infoFrame = true;
            int flags = be32(d, x + 4);
            int q = x + 8;
            if ((flags & 1) != 0) { declared = be32(d, q) & 0xFFFFFFFFL; q += 4; }
            if ((flags & 2) != 0) q += 4;
            if ((flags & 4) != 0) q += 100;
            if ((flags & 8) != 0) q += 4;
            if (q + 24 <= Math.min(d.length, p + first.length) && (ascii(d, q, "LAME") || ascii(d, q, "Lavf") || ascii(d, q, "Lavc"))) {
                int v = (d[q + 21] & 0xFF) << 16 | (d[q + 22] & 0xFF) << 8 | (d[q + 23] & 0xFF);
                delay = (v >>> 12) + DECODER_DELAY;
                padding = Math.max(0, (v & 0xFFF) - DECODER_DELAY);
                gapless = true;
            }
        } else if (first.layer == 3 && ascii(d, p + 36, "VBRI")) {
            infoFrame = true;
            declared = be32(d, p + 36 + 14) & 0xFFFFFFFFL;
        }
        if (infoFrame) p += first.length;
        int index = 0;
        while (p < d.length) {
            FrameHeader h = header(d, p);
            if (h == null || h.sampleRate != first.sampleRate || h.layer != first.layer) {
                if (isTrailingTag(d, p)) break;
                if (d.length - p < 4) break; // a few stray bytes at the end (some encoders pad)
                throw UserError.inFile(source, "damaged MP3 file: no frame at byte " + p + " (after frame " + index + ")");
            }
            if (p + h.length > d.length) {
                throw UserError.inFile(source, "cut off: MP3 frame " + index + " at byte " + p + " ends past the end of the file (truncated?)");
            }
            ranges.add(new int[] {p, h.length});
            p += h.length;
            index++;
        }
        if (ranges.isEmpty()) throw UserError.inFile(source, "MP3 file has no audio frames");
        if (declared > ranges.size() + 1) {
            throw UserError.inFile(source, "cut off: the MP3 header announces " + declared + " frames, the file has " + ranges.size() + " (truncated?)");
        }
        return new Frames(ranges, first, declared, delay, padding, gapless);
    }

    private static boolean isTrailingTag(byte[] d, int p) {
        return ascii(d, p, "TAG") && d.length - p == 128 || ascii(d, p, "APETAGEX") || ascii(d, p, "LYRICS") || ascii(d, p, "ID3");
    }

    /** Decodes every frame with JLayer and trims the gapless delay and padding. */
    static PcmChannels decode(Object source, byte[] d) {
        Frames frames = frames(source, d);
        ByteArrayOutputStream audio = new ByteArrayOutputStream(d.length);
        for (int[] r : frames.ranges) audio.write(d, r[0], r[1]);
        int channels = frames.first.channels;
        long total = (long) frames.ranges.size() * frames.first.samplesPerFrame;
        if (total > Integer.MAX_VALUE - 8) throw UserError.inFile(source, "too long to hold in memory");
        float[][] out = new float[channels][(int) total];
        int n = 0;
        Bitstream bits = new Bitstream(new ByteArrayInputStream(audio.toByteArray()));
        javazoom.jl.decoder.Decoder decoder = new javazoom.jl.decoder.Decoder();
        int frame = 0;
        try {
            Header h;
            while ((h = bits.readFrame()) != null) {
                SampleBuffer buffer = (SampleBuffer) decoder.decodeFrame(h, bits);
                short[] s = buffer.getBuffer();
                int bufferChannels = buffer.getChannelCount();
                int got = buffer.getBufferLength() / bufferChannels;
                if (n + got > out[0].length) got = out[0].length - n; // never more than the frames found
                for (int t = 0; t < got; t++) {
                    for (int c = 0; c < channels; c++) out[c][n + t] = s[t * bufferChannels + Math.min(c, bufferChannels - 1)] / 32768f;
                }
                n += got;
                bits.closeFrame();
                frame++;
            }
        } catch (BitstreamException | DecoderException | RuntimeException | OutOfMemoryError | StackOverflowError e) {
            throw UserError.inFile(source, "damaged MP3 data in frame " + frame + " (" + e.getClass().getSimpleName() + ")");
        }
        int start = frames.gapless ? Math.min(frames.encoderDelay, n) : 0;
        int end = frames.gapless ? Math.max(start, n - frames.encoderPadding) : n;
        float[][] trimmed = new float[channels][];
        for (int c = 0; c < channels; c++) trimmed[c] = java.util.Arrays.copyOfRange(out[c], start, end);
        return new PcmChannels(trimmed, frames.first.sampleRate, 16);
    }

    /** Duration without decoding: the frame count (from the Xing/VBRI header, else by walking the frame headers). */
    static double durationSeconds(Object source, byte[] d) {
        Frames frames = frames(source, d);
        return frames.samples(frames.ranges.size()) / (double) frames.first.sampleRate;
    }

    private static boolean ascii(byte[] d, int p, String s) {
        if (p < 0 || p + s.length() > d.length) return false;
        for (int i = 0; i < s.length(); i++) if (d[p + i] != s.charAt(i)) return false;
        return true;
    }

    private static int be32(byte[] d, int p) {
        if (p + 4 > d.length) return 0;
        return (d[p] & 0xFF) << 24 | (d[p + 1] & 0xFF) << 16 | (d[p + 2] & 0xFF) << 8 | (d[p + 3] & 0xFF);
    }
}
