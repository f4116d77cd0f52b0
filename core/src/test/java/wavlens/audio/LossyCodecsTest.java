package wavlens.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MP3, Ogg Vorbis, Ogg Opus, WebM and Matroska files made by lame / oggenc / opusenc / ffmpeg
 * (src/test/resources/audio/lossy/make.sh), decoded against ffmpeg's decoding of the same file
 * (NAME.ref.flac): every channel correlates ≥ 0.99 with ffmpeg's at the best lag within one codec
 * frame, and the lengths are the independent ones: the encoder's input (0.7 s, sox-trimmed) where the
 * format carries gapless information (LAME tag, Ogg granule, Opus pre-skip, WebM DiscardPadding),
 * else ffmpeg's.
 */
class LossyCodecsTest {
    static final Path DIR = Path.of("src/test/resources/audio/lossy");

    @ParameterizedTest
    @CsvSource({
            // file, channels, rate, codec frame, expected length (per channel), header duration (s): "length" = that length,
            // else ffprobe's (ffprobe-durations.tsv): the WebM/Matroska Duration element counts the end padding too
            "mp3_cbr_mono_44k.mp3,           1, 44100, 1152, 30870, length",  // MPEG-1 CBR, LAME tag: 0.7 s exactly
            "mp3_vbr_stereo_44k.mp3,         2, 44100, 1152, 30870, length",  // MPEG-1 VBR (Xing + LAME tag)
            "mp3_cbr_stereo_48k_notag.mp3,   2, 48000, 1152, 35712, length",  // no tag: 31 frames, as ffmpeg
            "mp3_id3_mono_22k.mp3,           1, 22050,  576, 15435, length",  // MPEG-2 behind ID3v2, LAME tag
            "mp3_mpeg2_mono_22k.mp3,         1, 22050,  576, 16704, length",  // MPEG-2 32 kbps, too small for a tag: 29 frames
            "mp3_mpeg25_mono_11k.mp3,        1, 11025,  576,  9216, length",  // MPEG-2.5
            "vorbis_mono_22k.ogg,            1, 22050, 2048, 15435, length",  // last granule (oggdec too; ffmpeg drops 256 at the start)
            "vorbis_stereo_44k.ogg,          2, 44100, 2048, 30870, length",
            "opus_mono.opus,                 1, 48000,  960, 33600, length",  // granule − pre-skip; r = 0.991 with ffmpeg's own Opus decoder, 0.999999 with opusdec (libopus 1.3.1)
            "opus_stereo.opus,               2, 48000,  960, 33600, length",
            "webm_opus_stereo.webm,          2, 48000,  960, 33600, 0.708",  // CodecDelay/pre-skip + DiscardPadding
            "webm_opus_mono_live.webm,       1, 48000,  960, 33600, length",  // unknown-size Segment and Clusters
            "mka_vorbis_stereo_44k.mka,      2, 44100, 2048, 30976, 0.704",  // Matroska has no Vorbis end trim: as ffmpeg
    })
    void decodesLikeFfmpeg(String name, int channels, int rate, int frame, int expectedLength, String headerSeconds) {
        PcmChannels ours = AudioFile.readChannels(DIR.resolve(name));
        PcmChannels ffmpeg = FlacDecoder.decode(DIR.resolve(name.substring(0, name.lastIndexOf('.')) + ".ref.flac"));
        assertEquals(channels, ours.channels().length, name);
        assertEquals(rate, ours.sampleRate(), name);
        assertEquals(expectedLength, ours.frames(), name + " length");
        assertTrue(Math.abs(ours.frames() - ffmpeg.frames()) <= frame, name + ": " + ours.frames() + " vs ffmpeg " + ffmpeg.frames());
        int lag = bestLag(ours.channels()[0], ffmpeg.channels()[0], frame);
        for (int c = 0; c < channels; c++) {
            double r = correlation(ours.channels()[c], ffmpeg.channels()[c], lag);
            System.out.printf("%s channel %d: lag %d, r = %.6f, length %d vs ffmpeg %d%n", name, c, lag, r, ours.frames(), ffmpeg.frames());
            assertTrue(r >= 0.99, name + " channel " + c + ": correlation " + r + " at lag " + lag);
        }
        double header = AudioFile.durationSeconds(DIR.resolve(name));
        double expectedHeader = headerSeconds.equals("length") ? expectedLength / (double) rate : Double.parseDouble(headerSeconds);
        assertEquals(expectedHeader, header, 1e-9, name + " header duration");
    }

    /** The shift (ours[i] ~ ref[i + lag]) within ±maxLag that maximises the correlation. */
    static int bestLag(float[] ours, float[] ref, int maxLag) {
        int best = 0;
        double bestR = -2;
        for (int lag = -maxLag; lag <= maxLag; lag++) {
            double r = correlation(ours, ref, lag);
            if (r > bestR) { bestR = r; best = lag; }
        }
        return best;
    }

    /** Pearson correlation of ours[i] and ref[i + lag] over the samples both have. */
    static double correlation(float[] ours, float[] ref, int lag) {
        int from = Math.max(0, -lag), to = Math.min(ours.length, ref.length - lag);
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        int n = to - from;
        for (int i = from; i < to; i++) {
            double a = ours[i], b = ref[i + lag];
            sa += a; sb += b; saa += a * a; sbb += b * b; sab += a * b;
        }
        double cov = sab - sa * sb / n, va = saa - sa * sa / n, vb = sbb - sb * sb / n;
        return cov / Math.sqrt(va * vb);
    }
}
