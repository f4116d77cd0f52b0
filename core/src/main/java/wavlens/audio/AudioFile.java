package wavlens.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import wavlens.io.UserError;

/**
 * Reading audio files for the models: the one entry point the rest of wavlens uses.
 *
 * <pre>{@code
 * Audio audio = AudioFile.read(path);          // WAV or FLAC, any rate, channels averaged to mono
 * float[] x = AudioFile.load16k(path);         // the same, resampled to 16 kHz (wav2vec2's rate)
 * double s = AudioFile.durationSeconds(path);  // from the header only, for corpus statistics
 * }</pre>
 *
 * <p>The format is recognised by the file's first bytes, not its name: "RIFF"/"RF64"/"BW64" +
 * "WAVE" is read by {@link WavReader}, "fLaC" (optionally behind an ID3v2 tag) by
 * {@link FlacDecoder}. Anything else (Ogg, MP3, AIFF, SPHERE, text, ...) is a {@link UserError}
 * that says what the file seems to be, as are missing, empty and damaged files; every message
 * starts with the file path.
 */
public final class AudioFile {
    private AudioFile() {}

    /** The sample rate of the wav2vec2 family. */
    public static final int MODEL_RATE = 16000;

    /** Resamplers are immutable and their filter tables cost a few ms to build: one per rate pair. */
    private static final Map<Long, Resampler> RESAMPLERS = new ConcurrentHashMap<>();

    private enum Kind { WAV, FLAC, MP3, OGG, MATROSKA }

    /** Reads an audio file and averages its channels to mono; the sample rate is the file's. */
    public static Audio read(Path file) {
        PcmChannels pcm = readChannels(file);
        return new Audio(pcm.mixToMono(), pcm.sampleRate(), pcm.channels().length, file);
    }

    /** Every channel of an audio file, at the file's rate (Opus: 48 kHz, the rate it decodes at). */
    public static PcmChannels readChannels(Path file) {
        return switch (detect(file, head(file))) {
            case WAV -> WavReader.read(file);
            case FLAC -> FlacDecoder.decode(file);
            case MP3 -> Mp3Reader.decode(file, readAllBytes(file));
            case OGG -> OggReader.decode(file, readAllBytes(file));
            case MATROSKA -> MatroskaReader.decode(file, readAllBytes(file));
        };
    }

    /**
     * Decodes audio held in memory (e.g. an audio column of a Parquet shard, or a pipe's output);
     * {@code name} is what error messages name. Same formats and detection as {@link #read(Path)}.
     */
    public static Audio read(String name, byte[] bytes) {
        if (bytes.length == 0) throw UserError.inFile(name, "empty audio (0 bytes)");
        PcmChannels pcm = switch (detect(name, java.util.Arrays.copyOf(bytes, Math.min(bytes.length, 16)))) {
            case WAV, FLAC -> viaTemporaryFile(name, bytes);
            case MP3 -> Mp3Reader.decode(name, bytes);
            case OGG -> OggReader.decode(name, bytes);
            case MATROSKA -> MatroskaReader.decode(name, bytes);
        };
        return new Audio(pcm.mixToMono(), pcm.sampleRate(), pcm.channels().length, Path.of(name));
    }

    /** {@link #read(String, byte[])} then to 16 kHz. */
    public static float[] load16k(String name, byte[] bytes) {
        return to16k(read(name, bytes));
    }

    /** {@link #read} then {@link Resampler} to 16 kHz (no resampling when the file already is 16 kHz). */
    public static float[] load16k(Path file) {
        return to16k(read(file));
    }

    private static float[] to16k(Audio audio) {
        if (audio.sampleRate() == MODEL_RATE) return audio.samples();
        long key = (long) audio.sampleRate() << 32 | MODEL_RATE;
        Resampler resampler = RESAMPLERS.computeIfAbsent(key, k -> new Resampler(audio.sampleRate(), MODEL_RATE));
        return resampler.process(audio.samples());
    }

    /**
     * Duration in seconds from the headers, without decoding: WAV data size, FLAC STREAMINFO,
     * MP3 Xing/Info/VBRI frame count with the LAME tag's delay and padding (else the frame headers
     * walked), Ogg the last page's granule position (less Opus pre-skip), WebM/Matroska the
     * Duration element (else the Opus packets' lengths). For {@code corpus info} over many clips.
     */
    public static double durationSeconds(Path file) {
        return switch (detect(file, head(file))) {
            case WAV -> WavReader.durationSeconds(file);
            case FLAC -> FlacDecoder.durationSeconds(file);
            case MP3 -> Mp3Reader.durationSeconds(file, readAllBytes(file));
            case OGG -> OggReader.durationSeconds(file);
            case MATROSKA -> MatroskaReader.durationSeconds(file, readAllBytes(file));
        };
    }

    /** A WAV or FLAC held in memory goes through a temporary file: their readers work on files. */
    private static PcmChannels viaTemporaryFile(String name, byte[] bytes) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("wavlens-audio", ".bin");
            Files.write(tmp, bytes);
            Path written = tmp;
            try {
                return detect(name, java.util.Arrays.copyOf(bytes, Math.min(bytes.length, 16))) == Kind.WAV
                        ? WavReader.read(written) : FlacDecoder.decode(written);
            } catch (UserError e) {
                throw new UserError(e.getMessage().replace(written.toString(), name));
            }
        } catch (IOException e) {
            throw UserError.inFile(name, "cannot hold the audio in a temporary file: " + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }

    private static byte[] head(Path file) {
        byte[] head = new byte[16];
        long size;
        int n;
        try (FileChannel ch = open(file)) {
            size = ch.size();
            ByteBuffer b = ByteBuffer.wrap(head);
            while (b.hasRemaining() && ch.read(b, b.position()) >= 0) { }
            n = b.position();
        } catch (IOException e) {
            throw ioProblem(file, e);
        }
        if (size == 0) throw UserError.inFile(file, "empty file (0 bytes)");
        return java.util.Arrays.copyOf(head, n);
    }

    /** Recognises the format from the first 16 bytes (and, for ID3, what follows the tag), or says what the file is instead. */
    private static Kind detect(Object source, byte[] head) {
        int n = head.length;
        String magic = new String(head, 0, Math.min(n, 4), java.nio.charset.StandardCharsets.ISO_8859_1);
        boolean wave = n >= 12 && head[8] == 'W' && head[9] == 'A' && head[10] == 'V' && head[11] == 'E';
        if ((magic.equals("RIFF") || magic.equals("RF64") || magic.equals("BW64")) && wave) return Kind.WAV;
        if (magic.equals("RIFX") && wave) return Kind.WAV; // WavReader explains that big-endian WAV is not supported
        if (magic.equals("fLaC")) return Kind.FLAC;
        if (magic.equals("OggS")) return Kind.OGG;
        if (n >= 4 && (head[0] & 0xFF) == 0x1A && (head[1] & 0xFF) == 0x45 && (head[2] & 0xFF) == 0xDF && (head[3] & 0xFF) == 0xA3) return Kind.MATROSKA;
        if (magic.startsWith("ID3")) {
            // ID3v2 is put in front of MP3 and, by some taggers, of FLAC: look behind it.
            if (n >= 10 && source instanceof Path file) {
                int tagEnd = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F));
                if (startsWithAt(file, tagEnd, "fLaC")) return Kind.FLAC;
            }
            return Kind.MP3;
        }
        if (n >= 2 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xE0) == 0xE0) {
            // MPEG audio frame sync; ADTS (AAC) shares the sync but has layer bits 00.
            if ((head[1] & 0x06) == 0) throw UserError.inFile(source, "AAC (ADTS) stream is not read; convert with ffmpeg (ffmpeg -i in.aac out.flac)");
            return Kind.MP3;
        }
        throw UserError.inFile(source, describeUnsupported(head, n, magic));
    }

    private static String describeUnsupported(byte[] head, int n, String magic) {
        String convert = "; WAV, FLAC, MP3, Ogg Vorbis/Opus and WebM/Matroska (Opus, Vorbis) are read: convert with ffmpeg";
        if (magic.equals("RIFF")) return "RIFF file that is not WAVE audio (e.g. AVI)" + convert;
        if (n >= 8 && new String(head, 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1).equals("ftyp")) {
            return "MP4/M4A file (AAC or ALAC in MP4) is not read" + convert;
        }
        if (magic.equals("FORM")) return "AIFF file is not supported; convert with sox (sox in.aiff out.wav)";
        if (magic.equals("NIST")) return "NIST SPHERE file (e.g. TIMIT) is not supported; convert with sox (sox in.sph out.wav)";
        if (magic.equals("#!AM")) return "AMR file is not read" + convert;
        if (magic.equals("wvpk")) return "WavPack file is not read" + convert;
        if (magic.equals("MAC ")) return "Monkey's Audio (APE) file is not read" + convert;
        if (magic.equals("caff")) return "Core Audio (CAF) file is not read" + convert;
        if (n >= 4 && (magic.equals(".snd"))) return "Sun/NeXT .au file is not supported; convert with sox";
        boolean text = n > 0;
        for (int i = 0; i < n; i++) {
            int c = head[i] & 0xFF;
            if (c < 9 || (c > 13 && c < 32) || c == 127) text = false;
        }
        if (text) return "not an audio file (it looks like text); expected WAV, FLAC, MP3, Ogg or WebM";
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(n, 4); i++) hex.append(String.format("%02x ", head[i] & 0xFF));
        return "not a WAV, FLAC, MP3, Ogg or WebM file (starts with bytes " + hex.toString().trim() + ")";
    }

    private static boolean startsWithAt(Path file, long offset, String magic) {
        try (FileChannel ch = open(file)) {
            ByteBuffer b = ByteBuffer.allocate(magic.length());
            while (b.hasRemaining() && ch.read(b, offset + b.position()) >= 0) { }
            return !b.hasRemaining() && new String(b.array(), java.nio.charset.StandardCharsets.ISO_8859_1).equals(magic);
        } catch (IOException e) {
            throw ioProblem(file, e);
        }
    }

    // ---- shared by the readers

    /** Opens a file for reading; a missing file or a directory is a UserError. */
    static FileChannel open(Path file) throws IOException {
        if (Files.isDirectory(file)) throw UserError.inFile(file, "is a directory, not an audio file");
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    static byte[] readAllBytes(Path file) {
        try (FileChannel ch = open(file)) {
            long size = ch.size();
            if (size == 0) throw UserError.inFile(file, "empty file (0 bytes)");
            if (size > Integer.MAX_VALUE - 8) throw UserError.inFile(file, "too large (" + size + " bytes; at most 2 GB)");
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining() && ch.read(b, b.position()) >= 0) { }
            return b.position() == b.capacity() ? b.array() : java.util.Arrays.copyOf(b.array(), b.position());
        } catch (IOException e) {
            throw ioProblem(file, e);
        }
    }

    static UserError ioProblem(Path file, IOException e) {
        if (e instanceof NoSuchFileException) return UserError.inFile(file, "file not found");
        if (e instanceof AccessDeniedException) return UserError.inFile(file, "permission denied");
        return UserError.inFile(file, "cannot read: " + e.getMessage());
    }
}
