package wavlens.audio;

import java.util.ArrayList;
import java.util.List;
import wavlens.io.UserError;

/**
 * The Ogg container (RFC 3533): pages of lacing-delimited packets, each page with a CRC-32.
 * Written here because it is ~150 lines and lets every damaged page be named by its byte offset;
 * the codecs inside (Opus, Vorbis) are decoded by libraries ({@link OpusStream}, {@link VorbisStream}).
 *
 * <p>Only the first logical stream is read (the one whose beginning-of-stream page comes first);
 * pages of other multiplexed streams (e.g. an Ogg Skeleton track) are passed over, and a chained
 * stream after its end-of-stream page is not read.
 */
final class OggReader {
    private OggReader() {}

    /** One packet of the stream; granule is the page's granule position if the packet ends that page, else -1. */
    record Packet(byte[] data, long granule) {}

    /** The first logical stream's packets, and the granule position of its last page. */
    record Stream(List<Packet> packets, long lastGranule, int serial) {}

    static boolean isOgg(byte[] data) {
        return data.length >= 4 && data[0] == 'O' && data[1] == 'g' && data[2] == 'g' && data[3] == 'S';
    }

    /** Splits the file's first logical stream into packets, checking every page's CRC. */
    static Stream read(Object source, byte[] data) {
        List<Packet> packets = new ArrayList<>();
        java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream(); // the packet being assembled
        boolean inPacket = false; // a packet continues onto the next page (last lacing value was 255)
        int serial = 0;
        long lastGranule = -1;
        int pos = 0;
        int pageNo = 0;
        while (pos < data.length) {
            int headerEnd = checkPage(source, data, pos, pageNo);
            int segments = data[pos + 26] & 0xFF;
            int flags = data[pos + 5] & 0xFF;
            long granule = le64(data, pos + 6);
            int pageSerial = le32(data, pos + 14);
            boolean continued = (flags & 1) != 0, bos = (flags & 2) != 0, eos = (flags & 4) != 0;
            if (pageNo == 0) {
                if (!bos) throw UserError.inFile(source, "Ogg stream does not start with a beginning-of-stream page");
                serial = pageSerial;
            }
            int body = headerEnd;
            if (pageSerial == serial) {
                if (continued != inPacket) {
                    throw UserError.inFile(source, "damaged Ogg file: page " + pageNo + " at byte " + pos
                            + " does not continue the packet of the page before (a page is missing)");
                }
                int lastComplete = -1; // the granule position belongs to the last packet that ends on this page
                for (int s = 0; s < segments; s++) if ((data[pos + 27 + s] & 0xFF) < 255) lastComplete = s;
                for (int s = 0; s < segments; s++) {
                    int lace = data[pos + 27 + s] & 0xFF;
                    partial.write(data, body, lace);
                    body += lace;
                    if (lace < 255) {
                        packets.add(new Packet(partial.toByteArray(), s == lastComplete ? granule : -1));
                        partial.reset();
                    }
                }
                inPacket = segments > 0 && (data[pos + 27 + segments - 1] & 0xFF) == 255;
                if (granule != -1) lastGranule = granule;
                pageNo++;
                pos = body;
                if (eos) break;
            } else {
                for (int s = 0; s < segments; s++) body += data[pos + 27 + s] & 0xFF;
                pageNo++;
                pos = body;
            }
        }
        if (inPacket) throw UserError.inFile(source, "cut off: the last Ogg packet is incomplete (file truncated?)");
        return new Stream(packets, lastGranule, serial);
    }

    /** Decodes the first logical stream: Opus (RFC 7845) or Vorbis; other codecs are named and refused. */
    static PcmChannels decode(Object source, byte[] data) {
        Stream stream = read(source, data);
        List<byte[]> packets = new ArrayList<>(stream.packets().size());
        for (Packet p : stream.packets()) packets.add(p.data());
        if (packets.isEmpty()) throw UserError.inFile(source, "Ogg file has no packets");
        byte[] first = packets.get(0);
        if (OpusStream.isOpusHead(first)) {
            OpusStream.Head head = OpusStream.parseHead(source, first);
            if (packets.size() < 2) throw UserError.inFile(source, "damaged Opus stream: no OpusTags header");
            // The last granule counts 48 kHz samples from the start, pre-skip included (RFC 7845 §4).
            long total = stream.lastGranule() >= 0 ? Math.max(0, stream.lastGranule() - head.preSkip()) : -1;
            return OpusStream.decode(source, head, packets.subList(2, packets.size()), total);
        }
        if (VorbisStream.isVorbisHead(first)) return VorbisStream.decode(source, packets, stream.lastGranule());
        throw UserError.inFile(source, "Ogg file with " + codecName(first) + " is not read; Ogg Opus and Ogg Vorbis are");
    }

    /** Duration from the first page (codec header) and the last page's granule position; reads only both ends. */
    static double durationSeconds(java.nio.file.Path file) {
        byte[] head = readRange(file, 0, 64 * 1024);
        if (head.length < 28 + 19) throw UserError.inFile(file, "too short to be an Ogg file");
        int headerEnd = checkPage(file, head, 0, 0);
        int serial = le32(head, 14);
        int firstLength = 0; // the identification packet: lacing values up to the first one < 255
        for (int seg = 0; seg < (head[26] & 0xFF); seg++) {
            firstLength += head[27 + seg] & 0xFF;
            if ((head[27 + seg] & 0xFF) < 255) break;
        }
        byte[] first = java.util.Arrays.copyOfRange(head, headerEnd, Math.min(head.length, headerEnd + firstLength));
        long size = fileSize(file);
        byte[] tail = readRange(file, Math.max(0, size - 64 * 1024), 64 * 1024);
        long granule = lastGranule(file, tail, serial);
        if (OpusStream.isOpusHead(first)) {
            OpusStream.Head h = OpusStream.parseHead(file, first);
            if (granule < 0) throw UserError.inFile(file, "damaged Ogg file: no page with a granule position at its end");
            return Math.max(0, granule - h.preSkip()) / (double) OpusStream.RATE;
        }
        if (VorbisStream.isVorbisHead(first)) {
            if (granule < 0) throw UserError.inFile(file, "damaged Ogg file: no page with a granule position at its end");
            return granule / (double) VorbisStream.sampleRate(file, first);
        }
        throw UserError.inFile(file, "Ogg file with " + codecName(first) + " is not read; Ogg Opus and Ogg Vorbis are");
    }

    /** What the first packet says the codec is, for the message that refuses it. */
    static String codecName(byte[] p) {
        String start = new String(p, 0, Math.min(p.length, 8), java.nio.charset.StandardCharsets.ISO_8859_1);
        if (start.startsWith("\u007fFLAC")) return "FLAC (Ogg FLAC)";
        if (start.startsWith("Speex")) return "Speex";
        if (start.startsWith("fishead")) return "an Ogg Skeleton stream first";
        if (start.startsWith("\u0080theora")) return "Theora video";
        if (start.startsWith("OpusHead")) return "Opus";
        return "an unknown codec";
    }

    private static long fileSize(java.nio.file.Path file) {
        try (java.nio.channels.FileChannel ch = AudioFile.open(file)) {
            return ch.size();
        } catch (java.io.IOException e) {
            throw AudioFile.ioProblem(file, e);
        }
    }

    private static byte[] readRange(java.nio.file.Path file, long offset, int length) {
        try (java.nio.channels.FileChannel ch = AudioFile.open(file)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) Math.min(length, Math.max(0, ch.size() - offset)));
            while (b.hasRemaining() && ch.read(b, offset + b.position()) >= 0) { }
            return java.util.Arrays.copyOf(b.array(), b.position());
        } catch (java.io.IOException e) {
            throw AudioFile.ioProblem(file, e);
        }
    }

    /**
     * Checks the page that starts at pos (capture pattern, version, length within the file, CRC)
     * and returns where its body starts.
     */
    private static int checkPage(Object source, byte[] data, int pos, int pageNo) {
        if (data.length - pos < 27 || data[pos] != 'O' || data[pos + 1] != 'g' || data[pos + 2] != 'g' || data[pos + 3] != 'S') {
            if (data.length - pos < 27 && startsLikeOggS(data, pos)) {
                throw UserError.inFile(source, "cut off: Ogg page " + pageNo + " at byte " + pos + " is incomplete (file truncated?)");
            }
            throw UserError.inFile(source, "damaged Ogg file: no page where page " + pageNo + " should start (byte " + pos + ")");
        }
        if (data[pos + 4] != 0) throw UserError.inFile(source, "Ogg page " + pageNo + " at byte " + pos + " has unknown version " + (data[pos + 4] & 0xFF));
        int segments = data[pos + 26] & 0xFF;
        int headerEnd = pos + 27 + segments;
        if (headerEnd > data.length) {
            throw UserError.inFile(source, "cut off: Ogg page " + pageNo + " at byte " + pos + " is incomplete (file truncated?)");
        }
        int bodyLength = 0;
        for (int s = 0; s < segments; s++) bodyLength += data[pos + 27 + s] & 0xFF;
        if ((long) headerEnd + bodyLength > data.length) {
            throw UserError.inFile(source, "cut off: Ogg page " + pageNo + " at byte " + pos + " ends past the end of the file (truncated?)");
        }
        int stored = le32(data, pos + 22);
        int crc = crc(data, pos, headerEnd + bodyLength - pos, pos + 22);
        if (crc != stored) {
            throw UserError.inFile(source, "damaged Ogg file: page " + pageNo + " at byte " + pos + " fails its CRC check");
        }
        return headerEnd;
    }

    private static boolean startsLikeOggS(byte[] data, int pos) {
        byte[] magic = {'O', 'g', 'g', 'S'};
        for (int i = 0; i < 4 && pos + i < data.length; i++) if (data[pos + i] != magic[i]) return false;
        return true;
    }

    /**
     * Granule position of the stream's last page, found from the end of the file without reading
     * the packets (for durations): the last "OggS" whose page checks out and whose serial matches.
     */
    static long lastGranule(Object source, byte[] tail, int serial) {
        for (int pos = tail.length - 27; pos >= 0; pos--) {
            if (tail[pos] != 'O' || tail[pos + 1] != 'g' || tail[pos + 2] != 'g' || tail[pos + 3] != 'S') continue;
            int segments = tail[pos + 26] & 0xFF;
            int headerEnd = pos + 27 + segments;
            if (headerEnd > tail.length) continue;
            int bodyLength = 0;
            for (int s = 0; s < segments; s++) bodyLength += tail[pos + 27 + s] & 0xFF;
            if ((long) headerEnd + bodyLength > tail.length) continue;
            if (crc(tail, pos, headerEnd + bodyLength - pos, pos + 22) != le32(tail, pos + 22)) continue;
            long granule = le64(tail, pos + 6);
            if (le32(tail, pos + 14) == serial && granule != -1) return granule;
        }
        return -1;
    }

    // ---- CRC-32 of Ogg: polynomial 0x04C11DB7, not reflected, initial value 0, no final xor,
    //      computed over the page with its CRC field taken as zero.

    private static final int[] CRC_TABLE = new int[256];
    static {
        for (int i = 0; i < 256; i++) {
            int r = i << 24;
            for (int b = 0; b < 8; b++) r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            CRC_TABLE[i] = r;
        }
    }

    static int crc(byte[] data, int start, int length, int crcField) {
        int crc = 0;
        for (int i = start; i < start + length; i++) {
            int b = (i >= crcField && i < crcField + 4) ? 0 : data[i] & 0xFF;
            crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xFF];
        }
        return crc;
    }

    static int le32(byte[] d, int p) {
        return (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8 | (d[p + 2] & 0xFF) << 16 | (d[p + 3] & 0xFF) << 24;
    }

    static int le16(byte[] d, int p) {
        return (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8;
    }

    static long le64(byte[] d, int p) {
        return (le32(d, p) & 0xFFFFFFFFL) | (long) le32(d, p + 4) << 32;
    }
}
