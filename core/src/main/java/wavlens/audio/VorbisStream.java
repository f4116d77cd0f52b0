package wavlens.audio;

import com.jcraft.jogg.Packet;
import com.jcraft.jorbis.Block;
import com.jcraft.jorbis.Comment;
import com.jcraft.jorbis.DspState;
import com.jcraft.jorbis.Info;
import java.util.Arrays;
import java.util.List;
import wavlens.io.UserError;

/**
 * Vorbis I decoding with JOrbis (the pure-Java port of libvorbis' decoder); the packets come from
 * Ogg ({@link OggReader}) or WebM ({@link MatroskaReader}). Three header packets (identification,
 * comment, setup) precede the audio packets; the output is trimmed to the stream's length
 * when the container says it (Ogg: the last page's granule position, Vorbis I spec §A.2).
 */
final class VorbisStream {
    private VorbisStream() {}

    static boolean isVorbisHead(byte[] p) {
        return p.length >= 7 && p[0] == 1 && new String(p, 1, 6, java.nio.charset.StandardCharsets.ISO_8859_1).equals("vorbis");
    }

    /** Decodes headers + audio packets; totalSamples ≥ 0 keeps that many samples per channel. */
    static PcmChannels decode(Object source, List<byte[]> packets, long totalSamples) {
        if (packets.size() < 3 || !isVorbisHead(packets.get(0))) throw UserError.inFile(source, "damaged Vorbis stream: missing its three header packets");
        Info info = new Info();
        Comment comment = new Comment();
        info.init();
        comment.init();
        checkCommentHeader(source, packets.get(1));
        for (int h = 0; h < 3; h++) {
            int rc;
            try {
                rc = info.synthesis_headerin(comment, packet(packets.get(h), h, h == 0));
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                rc = -1; // a damaged header can ask JOrbis for an absurd allocation: one failed request, the heap is intact
            }
            if (rc < 0) throw UserError.inFile(source, "damaged Vorbis stream: header packet " + h + " is invalid");
        }
        int channels = info.channels;
        if (channels < 1 || info.rate <= 0) throw UserError.inFile(source, "damaged Vorbis stream: " + channels + " channels at " + info.rate + " Hz");
        DspState dsp = new DspState();
        dsp.synthesis_init(info);
        Block block = new Block(dsp);
        float[][] out = new float[channels][1 << 16];
        int n = 0;
        float[][][] pcmRef = new float[1][][];
        int[] index = new int[channels];
        for (int i = 3; i < packets.size(); i++) {
            try {
                if (block.synthesis(packet(packets.get(i), i, false)) == 0) dsp.synthesis_blockin(block);
                int got;
                while ((got = dsp.synthesis_pcmout(pcmRef, index)) > 0) {
                    if (n + got > out[0].length) {
                        for (int c = 0; c < channels; c++) out[c] = Arrays.copyOf(out[c], Math.max(2 * out[c].length, n + got));
                    }
                    for (int c = 0; c < channels; c++) System.arraycopy(pcmRef[0][c], index[c], out[c], n, got);
                    n += got;
                    dsp.synthesis_read(got);
                }
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                throw UserError.inFile(source, "damaged Vorbis data in packet " + i + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        int end = totalSamples >= 0 ? (int) Math.min(n, totalSamples) : n;
        float[][] trimmed = new float[channels][];
        for (int c = 0; c < channels; c++) trimmed[c] = Arrays.copyOf(out[c], end);
        return new PcmChannels(trimmed, info.rate, 32);
    }

    /** The comment header's lengths must fit in the packet (JOrbis allocates what they say before reading). */
    private static void checkCommentHeader(Object source, byte[] p) {
        boolean ok = p.length >= 11 && p[0] == 3;
        long pos = 7;
        if (ok) {
            long vendor = OggReader.le32(p, 7) & 0xFFFFFFFFL;
            pos = 11 + vendor;
            ok = pos + 4 <= p.length;
        }
        if (ok) {
            long count = OggReader.le32(p, (int) pos) & 0xFFFFFFFFL;
            pos += 4;
            for (long i = 0; ok && i < count; i++) {
                ok = pos + 4 <= p.length;
                if (ok) pos += 4 + (OggReader.le32(p, (int) pos) & 0xFFFFFFFFL);
                ok = ok && pos <= p.length;
            }
        }
        if (!ok) throw UserError.inFile(source, "damaged Vorbis stream: header packet 1 (comments) is invalid");
    }

    /** The identification header's sample rate (bytes 12-15), for durations without decoding. */
    static int sampleRate(Object source, byte[] head) {
        if (!isVorbisHead(head) || head.length < 16) throw UserError.inFile(source, "damaged Vorbis stream: bad identification header");
        return OggReader.le32(head, 12);
    }

    private static Packet packet(byte[] data, long number, boolean first) {
        Packet p = new Packet();
        p.packet_base = data;
        p.packet = 0;
        p.bytes = data.length;
        p.b_o_s = first ? 1 : 0;
        p.packetno = number;
        p.granulepos = -1;
        return p;
    }
}
