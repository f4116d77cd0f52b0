package wavlens.audio;

import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;
import io.github.jaredmdobson.concentus.OpusMSDecoder;
import java.util.List;
import wavlens.io.UserError;

/**
 * Opus decoding (RFC 6716) with Concentus, a pure-Java port of libopus; the packets come from Ogg
 * ({@link OggReader}, RFC 7845) or WebM ({@link MatroskaReader}).
 *
 * <p>Opus always decodes at 48 kHz. The "OpusHead" header gives the channel count, the pre-skip
 * (samples of encoder delay at the start to drop, RFC 7845 section 4.2) and an output gain in
 * Q7.8 dB; channel mapping family 0 (mono/stereo) and 1 (Vorbis order, up to 8 channels) are read.
 */
final class OpusStream {
    private OpusStream() {}

    static final int RATE = 48000;
    /** 120 ms at 48 kHz, the longest an Opus packet can be. */
    private static final int MAX_PACKET_SAMPLES = 5760;

    /** What OpusHead says. */
    record Head(int channels, int preSkip, double gain, int family, int streams, int coupled, short[] mapping) {}

    static boolean isOpusHead(byte[] p) {
        return p.length >= 8 && new String(p, 0, 8, java.nio.charset.StandardCharsets.ISO_8859_1).equals("OpusHead");
    }

    static Head parseHead(Object source, byte[] p) {
        if (!isOpusHead(p) || p.length < 19) throw UserError.inFile(source, "damaged Opus stream: no valid OpusHead header");
        int version = p[8] & 0xFF;
        if (version >> 4 != 0) throw UserError.inFile(source, "Opus header version " + version + " is not supported");
        int channels = p[9] & 0xFF;
        int preSkip = OggReader.le16(p, 10);
        short gainQ8 = (short) OggReader.le16(p, 16);
        int family = p[18] & 0xFF;
        if (channels == 0) throw UserError.inFile(source, "damaged Opus stream: OpusHead says 0 channels");
        int streams = 1, coupled = channels == 2 ? 1 : 0;
        short[] mapping = new short[channels];
        for (int c = 0; c < channels; c++) mapping[c] = (short) c;
        if (family == 0) {
            if (channels > 2) throw UserError.inFile(source, "damaged Opus stream: mapping family 0 with " + channels + " channels");
        } else if (family == 1) {
            if (channels > 8 || p.length < 21 + channels) throw UserError.inFile(source, "damaged Opus stream: bad channel mapping table");
            streams = p[19] & 0xFF;
            coupled = p[20] & 0xFF;
            for (int c = 0; c < channels; c++) mapping[c] = (short) (p[21 + c] & 0xFF);
            if (streams == 0 || coupled > streams) throw UserError.inFile(source, "damaged Opus stream: bad channel mapping table");
        } else {
            throw UserError.inFile(source, "Opus channel mapping family " + family + " (ambisonics / unspecified layout) is not read");
        }
        return new Head(channels, preSkip, Math.pow(10, gainQ8 / (20.0 * 256)), family, streams, coupled, mapping);
    }

    /**
     * Decodes the audio packets into channels at 48 kHz, drops the pre-skip, and keeps
     * {@code totalSamples} samples when it is known (≥ 0: the last Ogg granule minus pre-skip,
     * or WebM's length after discard padding) — the end of the last packet is encoder padding.
     */
    static PcmChannels decode(Object source, Head head, List<byte[]> packets, long totalSamples) {
        int channels = head.channels();
        short[] pcm = new short[MAX_PACKET_SAMPLES * channels];
        float[][] out = new float[channels][];
        int capacity = 0;
        for (byte[] p : packets) capacity += Math.min(MAX_PACKET_SAMPLES, packetSamples(p));
        for (int c = 0; c < channels; c++) out[c] = new float[capacity];
        int n = 0;
        try {
            OpusDecoder mono = null;
            OpusMSDecoder multi = null;
            if (head.family() == 0) mono = new OpusDecoder(RATE, channels);
            else multi = OpusMSDecoder.create(RATE, channels, head.streams(), head.coupled(), head.mapping());
            for (int i = 0; i < packets.size(); i++) {
                byte[] p = packets.get(i);
                if (p.length == 0) continue; // a zero-length packet is a dropped frame (RFC 7845 §3); none here
                int got;
                try {
                    got = mono != null
                            ? mono.decode(p, 0, p.length, pcm, 0, MAX_PACKET_SAMPLES, false)
                            : multi.decodeMultistream(p, 0, p.length, pcm, 0, MAX_PACKET_SAMPLES, 0);
                } catch (OpusException | RuntimeException | OutOfMemoryError | StackOverflowError e) {
                    throw UserError.inFile(source, "damaged Opus data in packet " + i + " (" + e.getMessage() + ")");
                }
                if (got < 0) throw UserError.inFile(source, "damaged Opus data in packet " + i + " (decoder error " + got + ")");
                if (n + got > out[0].length) {
                    for (int c = 0; c < channels; c++) out[c] = java.util.Arrays.copyOf(out[c], Math.max(2 * out[c].length, n + got));
                }
                for (int t = 0; t < got; t++) {
                    for (int c = 0; c < channels; c++) out[c][n + t] = pcm[t * channels + c] * (float) (head.gain() / 32768.0);
                }
                n += got;
            }
        } catch (OpusException e) {
            throw UserError.inFile(source, "Opus stream cannot be decoded (" + e.getMessage() + ")");
        }
        int start = Math.min(head.preSkip(), n);
        int end = totalSamples >= 0 ? (int) Math.min(n, start + totalSamples) : n;
        float[][] trimmed = new float[channels][];
        for (int c = 0; c < channels; c++) trimmed[c] = java.util.Arrays.copyOfRange(out[c], start, end);
        return new PcmChannels(trimmed, RATE, 16);
    }

    /** Samples at 48 kHz in one Opus packet, from its TOC byte and frame count (RFC 6716 §3.1); 0 if malformed. */
    static int packetSamples(byte[] p) {
        if (p.length == 0) return 0;
        int toc = p[0] & 0xFF;
        int config = toc >> 3;
        int frameSamples;
        if (config < 12) frameSamples = new int[] {480, 960, 1920, 2880}[config & 3];          // SILK: 10/20/40/60 ms
        else if (config < 16) frameSamples = (config & 1) == 0 ? 480 : 960;                   // hybrid: 10/20 ms
        else frameSamples = new int[] {120, 240, 480, 960}[config & 3];                       // CELT: 2.5/5/10/20 ms
        int frames = switch (toc & 3) {
            case 0 -> 1;
            case 1, 2 -> 2;
            default -> p.length >= 2 ? p[1] & 0x3F : 0;
        };
        return frames * frameSamples;
    }
}
