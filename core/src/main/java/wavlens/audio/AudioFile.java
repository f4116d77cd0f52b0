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

    private enum Kind { WAV, FLAC }

    /** Reads a WAV or FLAC file and averages its channels to mono; the sample rate is the file's. */
    public static Audio read(Path file) {
        PcmChannels pcm = switch (detect(file)) {
            case WAV -> WavReader.read(file);
            case FLAC -> FlacDecoder.decode(file);
        };
        return new Audio(pcm.mixToMono(), pcm.sampleRate(), pcm.channels().length, file);
    }

    /** {@link #read} then {@link Resampler} to 16 kHz (no resampling when the file already is 16 kHz). */
    public static float[] load16k(Path file) {
        Audio audio = read(file);
        if (audio.sampleRate() == MODEL_RATE) return audio.samples();
        long key = (long) audio.sampleRate() << 32 | MODEL_RATE;
        Resampler resampler = RESAMPLERS.computeIfAbsent(key, k -> new Resampler(audio.sampleRate(), MODEL_RATE));
        return resampler.process(audio.samples());
    }

    /** Duration in seconds from the header alone (WAV data size, FLAC STREAMINFO); fast. */
    public static double durationSeconds(Path file) {
        return switch (detect(file)) {
            case WAV -> WavReader.durationSeconds(file);
            case FLAC -> FlacDecoder.durationSeconds(file);
        };
    }

    /** Recognises the format from the first 16 bytes, or says what the file is instead. */
    private static Kind detect(Path file) {
        byte[] head = new byte[16];
        int n;
        long size;
        try (FileChannel ch = open(file)) {
            size = ch.size();
            ByteBuffer b = ByteBuffer.wrap(head);
            while (b.hasRemaining() && ch.read(b, b.position()) >= 0) { }
            n = b.position();
        } catch (IOException e) {
            throw ioProblem(file, e);
        }
        if (size == 0) throw UserError.inFile(file, "empty file (0 bytes)");
        String magic = new String(head, 0, Math.min(n, 4), java.nio.charset.StandardCharsets.ISO_8859_1);
        boolean wave = n >= 12 && head[8] == 'W' && head[9] == 'A' && head[10] == 'V' && head[11] == 'E';
        if ((magic.equals("RIFF") || magic.equals("RF64") || magic.equals("BW64")) && wave) return Kind.WAV;
        if (magic.equals("RIFX") && wave) return Kind.WAV; // WavReader explains that big-endian WAV is not supported
        if (magic.equals("fLaC")) return Kind.FLAC;
        if (magic.startsWith("ID3")) {
            // ID3v2 is put in front of MP3 and, by some taggers, of FLAC: look behind it.
            if (n >= 10) {
                int tagEnd = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F));
                if (startsWithAt(file, tagEnd, "fLaC")) return Kind.FLAC;
            }
            throw UserError.inFile(file, "looks like an MP3 file (ID3 tag); only WAV and FLAC are read: convert with sox or ffmpeg");
        }
        throw UserError.inFile(file, describeUnsupported(head, n, magic));
    }

    private static String describeUnsupported(byte[] head, int n, String magic) {
        if (magic.equals("RIFF")) return "RIFF file that is not WAVE audio (e.g. AVI); only WAV and FLAC are read";
        if (magic.equals("OggS")) return "Ogg file (Vorbis / Opus / Ogg FLAC) is not supported; convert to FLAC or WAV with sox or ffmpeg";
        if (magic.equals("FORM")) return "AIFF file is not supported; convert with sox (sox in.aiff out.wav)";
        if (magic.equals("NIST")) return "NIST SPHERE file (e.g. TIMIT) is not supported; convert with sox (sox in.sph out.wav)";
        if (n >= 2 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xE0) == 0xE0) {
            return "looks like an MP3/AAC stream; only WAV and FLAC are read: convert with sox or ffmpeg";
        }
        if (n >= 4 && (magic.equals(".snd"))) return "Sun/NeXT .au file is not supported; convert with sox";
        boolean text = n > 0;
        for (int i = 0; i < n; i++) {
            int c = head[i] & 0xFF;
            if (c < 9 || (c > 13 && c < 32) || c == 127) text = false;
        }
        if (text) return "not an audio file (it looks like text); expected WAV or FLAC";
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(n, 4); i++) hex.append(String.format("%02x ", head[i] & 0xFF));
        return "not a WAV or FLAC file (starts with bytes " + hex.toString().trim() + ")";
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
