package wavlens.audio;

import java.util.ArrayList;
import java.util.List;
import wavlens.io.UserError;

/**
 * A small demuxer for WebM / Matroska audio: the EBML element tree (Matroska spec, RFC 9559) down
 * to the first audio track's frames. Written here because the Java Matroska libraries on Maven
 * Central are unmaintained and large, and audio needs only a few elements: Info (TimestampScale,
 * Duration), Tracks (CodecID, CodecPrivate, CodecDelay, channels, rate) and the Clusters'
 * SimpleBlocks / BlockGroups (with Xiph, EBML or fixed-size lacing, and DiscardPadding).
 *
 * <p>Browser recordings (MediaRecorder) write the Segment and every Cluster with "unknown size"
 * (all length bits set); such a Cluster ends where the next top-level element begins.
 */
final class MatroskaReader {
    /** The first audio track and its frames, in file order. */
    record Track(String codec, byte[] codecPrivate, int channels, double sampleRate, long codecDelayNs,
                 List<byte[]> frames, long discardPaddingNs, double durationSeconds, String docType) {}

    static final int EBML = 0x1A45DFA3, DOC_TYPE = 0x4282, SEGMENT = 0x18538067, INFO = 0x1549A966,
            TIMESTAMP_SCALE = 0x2AD7B1, DURATION = 0x4489, TRACKS = 0x1654AE6B, TRACK_ENTRY = 0xAE,
            TRACK_NUMBER = 0xD7, TRACK_TYPE = 0x83, CODEC_ID = 0x86, CODEC_PRIVATE = 0x63A2,
            CODEC_DELAY = 0x56AA, AUDIO = 0xE1, SAMPLING_FREQUENCY = 0xB5, CHANNELS = 0x9F,
            CLUSTER = 0x1F43B675, SIMPLE_BLOCK = 0xA3, BLOCK_GROUP = 0xA0, BLOCK = 0xA1, DISCARD_PADDING = 0x75A2;
    /** Elements that may follow a Cluster inside the Segment: they end a Cluster of unknown size. */
    private static final java.util.Set<Integer> TOP_LEVEL = java.util.Set.of(CLUSTER, 0x114D9B74 /* SeekHead */, INFO, TRACKS,
            0x1C53BB6B /* Cues */, 0x1254C367 /* Tags */, 0x1043A770 /* Chapters */, 0x1941A469 /* Attachments */, EBML, SEGMENT);

    static boolean isEbml(byte[] d) {
        return d.length >= 4 && (d[0] & 0xFF) == 0x1A && (d[1] & 0xFF) == 0x45 && (d[2] & 0xFF) == 0xDF && (d[3] & 0xFF) == 0xA3;
    }

    private final Object source;
    private final byte[] d;
    private final boolean headersOnly;
    private int pos;

    private String docType = "matroska";
    private long timestampScale = 1_000_000;
    private double duration = -1; // in TimestampScale units
    private long audioTrack = -1;
    private String codec;
    private byte[] codecPrivate;
    private int channels = 1;
    private double rate = 8000;
    private long codecDelay;
    private final List<byte[]> frames = new ArrayList<>();
    private long discardPadding;

    private MatroskaReader(Object source, byte[] data, boolean headersOnly) {
        this.source = source;
        this.d = data;
        this.headersOnly = headersOnly;
    }

    /** Demuxes the first audio track; headersOnly stops at the first Cluster (for the Duration). */
    static Track read(Object source, byte[] data, boolean headersOnly) {
        MatroskaReader r = new MatroskaReader(source, data, headersOnly);
        r.readFile();
        if (r.codec == null) throw UserError.inFile(source, r.docType + " file has no audio track");
        double seconds = r.duration >= 0 ? r.duration * r.timestampScale / 1e9 : -1;
        return new Track(r.codec, r.codecPrivate, r.channels, r.rate, r.codecDelay, r.frames, r.discardPadding, seconds, r.docType);
    }

    /** Decodes the first audio track: Opus (A_OPUS) or Vorbis (A_VORBIS); other codecs are named and refused. */
    static PcmChannels decode(Object source, byte[] data) {
        Track t = read(source, data, false);
        String kind = t.docType().equals("webm") ? "WebM" : "Matroska";
        if (t.codec().equals("A_OPUS")) {
            if (t.codecPrivate() == null) throw UserError.inFile(source, "damaged " + kind + " file: Opus track without its OpusHead (CodecPrivate)");
            OpusStream.Head head = OpusStream.parseHead(source, t.codecPrivate());
            long total = 0;
            for (byte[] f : t.frames()) total += OpusStream.packetSamples(f);
            // DiscardPadding (ns) of the last block: encoder padding at the end (Matroska spec, "DiscardPadding").
            total = Math.max(0, total - head.preSkip() - Math.round(t.discardPaddingNs() * OpusStream.RATE / 1e9));
            return OpusStream.decode(source, head, t.frames(), total);
        }
        if (t.codec().equals("A_VORBIS")) {
            List<byte[]> packets = new ArrayList<>(xiphHeaders(source, t.codecPrivate(), kind));
            packets.addAll(t.frames());
            return VorbisStream.decode(source, packets, -1);
        }
        throw UserError.inFile(source, codecName(t.codec()) + " in " + kind + " is not read; Opus and Vorbis in WebM/Matroska are (convert with ffmpeg)");
    }

    /** Duration from the Info element's Duration, else from the Opus packets' lengths (no decoding). */
    static double durationSeconds(Object source, byte[] data) {
        Track t = read(source, data, true);
        if (t.durationSeconds() >= 0) return t.durationSeconds();
        t = read(source, data, false);
        if (t.codec().equals("A_OPUS") && t.codecPrivate() != null) {
            OpusStream.Head head = OpusStream.parseHead(source, t.codecPrivate());
            long total = 0;
            for (byte[] f : t.frames()) total += OpusStream.packetSamples(f);
            total = Math.max(0, total - head.preSkip() - Math.round(t.discardPaddingNs() * OpusStream.RATE / 1e9));
            return total / (double) OpusStream.RATE;
        }
        PcmChannels pcm = decode(source, data);
        return pcm.frames() / (double) pcm.sampleRate();
    }

    /** Vorbis' three headers in CodecPrivate: a count − 1, Xiph-laced sizes of all but the last, then the packets. */
    private static List<byte[]> xiphHeaders(Object source, byte[] p, String kind) {
        if (p == null || p.length < 3 || p[0] != 2) throw UserError.inFile(source, "damaged " + kind + " file: Vorbis track without its three headers (CodecPrivate)");
        int pos = 1;
        int[] sizes = new int[2];
        for (int i = 0; i < 2; i++) {
            int b;
            do {
                if (pos >= p.length) throw UserError.inFile(source, "damaged " + kind + " file: Vorbis CodecPrivate ends inside its lace sizes");
                b = p[pos++] & 0xFF;
                sizes[i] += b;
            } while (b == 255);
        }
        if (pos + sizes[0] + sizes[1] > p.length) throw UserError.inFile(source, "damaged " + kind + " file: Vorbis CodecPrivate is shorter than its headers");
        return List.of(java.util.Arrays.copyOfRange(p, pos, pos + sizes[0]),
                java.util.Arrays.copyOfRange(p, pos + sizes[0], pos + sizes[0] + sizes[1]),
                java.util.Arrays.copyOfRange(p, pos + sizes[0] + sizes[1], p.length));
    }

    /** A Matroska codec id in words. */
    static String codecName(String id) {
        if (id.startsWith("A_AAC")) return "AAC";
        if (id.startsWith("A_MPEG/L3")) return "MP3";
        if (id.startsWith("A_FLAC")) return "FLAC";
        if (id.startsWith("A_PCM")) return "PCM";
        if (id.startsWith("A_AC3") || id.startsWith("A_EAC3")) return "AC-3";
        return "codec " + id;
    }

    private void readFile() {
        long headerId = readId();
        if (headerId != EBML) throw bad("does not start with an EBML header");
        long size = readSize();
        int end = bounded(size, "EBML header");
        while (pos < end) {
            long id = readId();
            int childEnd = bounded(readSize(), "EBML header");
            if (id == DOC_TYPE) docType = new String(d, pos, childEnd - pos, java.nio.charset.StandardCharsets.US_ASCII).trim().replace("\0", "");
            pos = childEnd;
        }
        if (!docType.equals("webm") && !docType.equals("matroska")) throw bad("EBML file of type '" + docType + "' is not WebM or Matroska");
        while (pos < d.length) {
            long id = readId();
            long s = readSize();
            if (id == SEGMENT) {
                readSegment(s < 0 ? d.length : bounded(s, "Segment"));
                return;
            }
            pos = bounded(s, "top-level element");
        }
        throw bad("no Segment element");
    }

    private void readSegment(int end) {
        while (pos < end) {
            long id = readId();
            long s = readSize();
            if (id == CLUSTER) {
                if (headersOnly && duration >= 0) return;
                int clusterEnd = s < 0 ? -1 : Math.min(bounded(s, "Cluster"), end);
                readCluster(clusterEnd, end);
            } else if (id == INFO) {
                int e = bounded(s, "Info");
                readInfo(e);
            } else if (id == TRACKS) {
                int e = bounded(s, "Tracks");
                readTracks(e);
            } else {
                if (s < 0) throw bad("element " + Long.toHexString(id) + " of unknown size where only a Cluster may have one");
                pos = bounded(s, "element " + Long.toHexString(id));
            }
        }
    }

    private void readInfo(int end) {
        while (pos < end) {
            long id = readId();
            int e = bounded(readSize(), "Info");
            if (id == TIMESTAMP_SCALE) timestampScale = uint(e);
            else if (id == DURATION) duration = floatValue(e);
            pos = e;
        }
    }

    private void readTracks(int end) {
        while (pos < end) {
            long id = readId();
            int e = bounded(readSize(), "Tracks");
            if (id == TRACK_ENTRY) readTrackEntry(e);
            pos = e;
        }
    }

    private void readTrackEntry(int end) {
        long number = -1, type = -1, delay = 0;
        String codecId = null;
        byte[] priv = null;
        int ch = 1;
        double sr = 8000;
        while (pos < end) {
            long id = readId();
            int e = bounded(readSize(), "TrackEntry");
            if (id == TRACK_NUMBER) number = uint(e);
            else if (id == TRACK_TYPE) type = uint(e);
            else if (id == CODEC_ID) codecId = new String(d, pos, e - pos, java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "");
            else if (id == CODEC_PRIVATE) priv = java.util.Arrays.copyOfRange(d, pos, e);
            else if (id == CODEC_DELAY) delay = uint(e);
            else if (id == AUDIO) {
                while (pos < e) {
                    long aid = readId();
                    int ae = bounded(readSize(), "Audio");
                    if (aid == SAMPLING_FREQUENCY) sr = floatValue(ae);
                    else if (aid == CHANNELS) ch = (int) uint(ae);
                    pos = ae;
                }
            }
            pos = e;
        }
        if (type == 2 && audioTrack < 0) {
            audioTrack = number;
            codec = codecId == null ? "(no codec id)" : codecId;
            codecPrivate = priv;
            channels = ch;
            rate = sr;
            codecDelay = delay;
        }
    }

    /** Reads a Cluster's blocks; clusterEnd -1 = unknown size, ends before the next top-level element. */
    private void readCluster(int clusterEnd, int segmentEnd) {
        int end = clusterEnd < 0 ? segmentEnd : clusterEnd;
        while (pos < end) {
            int start = pos;
            long id = readId();
            if (clusterEnd < 0 && TOP_LEVEL.contains((int) id)) {
                pos = start;
                return;
            }
            long s = readSize();
            if (s < 0) throw bad("element " + Long.toHexString(id) + " of unknown size inside a Cluster");
            if (pos + s > d.length) throw cutOff("a block at byte " + start);
            int e = (int) (pos + s);
            if (id == SIMPLE_BLOCK) readBlock(e);
            else if (id == BLOCK_GROUP) {
                while (pos < e) {
                    long gid = readId();
                    int ge = bounded(readSize(), "BlockGroup");
                    if (gid == BLOCK) readBlock(ge);
                    else if (gid == DISCARD_PADDING) discardPadding = sint(ge);
                    pos = ge;
                }
            }
            pos = e;
        }
    }

    /** A (Simple)Block: track number, 16-bit relative timestamp, flags, then one or more laced frames. */
    private void readBlock(int end) {
        long track = readVint(false);
        if (pos + 3 > end) throw bad("block at byte " + pos + " is too short");
        int flags = d[pos + 2] & 0xFF;
        pos += 3;
        if (track != audioTrack) return;
        int lacing = (flags >> 1) & 3;
        if (lacing == 0) {
            frames.add(java.util.Arrays.copyOfRange(d, pos, end));
            return;
        }
        if (pos >= end) throw bad("laced block at byte " + pos + " is empty");
        int count = (d[pos++] & 0xFF) + 1;
        long[] sizes = new long[count];
        long known = 0;
        if (lacing == 1) { // Xiph: each size as a run of 255s plus a last byte
            for (int f = 0; f < count - 1; f++) {
                long size = 0;
                int b;
                do {
                    if (pos >= end) throw bad("laced block ends inside its lace sizes");
                    b = d[pos++] & 0xFF;
                    size += b;
                } while (b == 255);
                sizes[f] = size;
                known += size;
            }
        } else if (lacing == 3) { // EBML: the first size as a vint, then signed differences
            sizes[0] = readVint(false);
            known = sizes[0];
            for (int f = 1; f < count - 1; f++) {
                int start = pos;
                long raw = readVint(false);
                int length = pos - start;
                long bias = (1L << (7 * length - 1)) - 1;
                sizes[f] = sizes[f - 1] + (raw - bias);
                known += sizes[f];
            }
        } else { // fixed: equal sizes
            long each = (end - pos) / count;
            for (int f = 0; f < count - 1; f++) sizes[f] = each;
            known = each * (count - 1);
        }
        sizes[count - 1] = end - pos - known;
        for (long size : sizes) {
            if (size < 0 || pos + size > end) throw bad("laced block has frame sizes beyond its end");
            frames.add(java.util.Arrays.copyOfRange(d, pos, (int) (pos + size)));
            pos += (int) size;
        }
    }

    // ---- EBML primitives

    private long readId() {
        if (pos >= d.length) throw cutOff("an element at byte " + pos);
        int first = d[pos] & 0xFF;
        int length = Integer.numberOfLeadingZeros(first) - 23; // leading zeros within the byte, + 1
        if (first == 0 || length > 4) throw bad("invalid element id at byte " + pos);
        if (pos + length > d.length) throw cutOff("an element at byte " + pos);
        long id = 0;
        for (int i = 0; i < length; i++) id = id << 8 | (d[pos + i] & 0xFF);
        pos += length;
        return id;
    }

    /** An element size; -1 for "unknown size" (all value bits set). */
    private long readSize() {
        return readVint(true);
    }

    private long readVint(boolean unknownAllowed) {
        if (pos >= d.length) throw cutOff("an element at byte " + pos);
        int first = d[pos] & 0xFF;
        if (first == 0) throw bad("invalid variable-length number at byte " + pos);
        int length = Integer.numberOfLeadingZeros(first) - 23;
        if (pos + length > d.length) throw cutOff("an element at byte " + pos);
        long value = first & (0xFF >> length);
        boolean allOnes = value == (0xFF >> length);
        for (int i = 1; i < length; i++) {
            int b = d[pos + i] & 0xFF;
            allOnes &= b == 0xFF;
            value = value << 8 | b;
        }
        pos += length;
        return unknownAllowed && allOnes ? -1 : value;
    }

    private int bounded(long size, String what) {
        if (size < 0) throw bad(what + " of unknown size");
        if (pos + size > d.length) throw cutOff(what + " at byte " + pos);
        return (int) (pos + size);
    }

    private long uint(int end) {
        long v = 0;
        for (int i = pos; i < end; i++) v = v << 8 | (d[i] & 0xFF);
        return v;
    }

    private long sint(int end) {
        if (end <= pos) return 0;
        long v = d[pos]; // sign-extended first byte
        for (int i = pos + 1; i < end; i++) v = v << 8 | (d[i] & 0xFF);
        return v;
    }

    private double floatValue(int end) {
        long bits = uint(end);
        return switch (end - pos) {
            case 4 -> Float.intBitsToFloat((int) bits);
            case 8 -> Double.longBitsToDouble(bits);
            case 0 -> 0;
            default -> throw bad("float element of " + (end - pos) + " bytes at byte " + pos);
        };
    }

    private UserError bad(String what) {
        return UserError.inFile(source, "damaged " + (docType.equals("webm") ? "WebM" : "Matroska") + " file: " + what);
    }

    private UserError cutOff(String what) {
        return UserError.inFile(source, "cut off: " + what + " ends past the end of the file (truncated?)");
    }
}
