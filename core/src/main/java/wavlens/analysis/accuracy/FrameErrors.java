package wavlens.analysis.accuracy;

import java.util.List;

/**
 * Frame-level mistakes of a CTC model: for each frame, does the model's argmax token disagree with
 * the letter a reference alignment puts there?
 *
 * <p>A CTC model emits its letter in one or a few frames of the letter's span and blank elsewhere,
 * so "blank" cannot simply count as wrong. The rule used here, per reference segment (one letter
 * occurrence spanning frames [start, end)):
 * <ul>
 *   <li>If some frame of the segment predicts the segment's letter, the letter was recognised: its
 *       blank frames and frames repeating the letter are correct; a frame predicting any OTHER
 *       non-blank token is a mistake.</li>
 *   <li>If no frame of the segment predicts the letter, every frame of the segment is a mistake
 *       (blank frames included): the letter was missed or replaced there.</li>
 *   <li>Frames outside every segment (pauses): blank and the word delimiter are correct, any other
 *       token is a mistake (an inserted letter).</li>
 * </ul>
 * The rule is strict about time: a letter emitted one frame after its reference segment ended counts
 * as missed in its own segment and as a mistake where it was emitted.
 */
public final class FrameErrors {
    private FrameErrors() {}

    /** One letter occurrence of the reference alignment: token id over frames [startFrame, endFrame). */
    public record Segment(int token, int startFrame, int endFrame) {}

    /**
     * @param predicted     argmax token id per frame
     * @param blank         the CTC blank id
     * @param wordDelimiter the word delimiter id ("|" in wav2vec2 vocabularies), or −1 if none
     * @param reference     letter segments; they must not overlap and must lie inside the frames
     * @return mistake[f] per the rules in the class comment
     */
    public static boolean[] mistakes(int[] predicted, int blank, int wordDelimiter, List<Segment> reference) {
        int frames = predicted.length;
        boolean[] covered = new boolean[frames];
        boolean[] mistake = new boolean[frames];
        for (Segment s : reference) {
            if (s.startFrame() < 0 || s.endFrame() > frames || s.startFrame() >= s.endFrame())
                throw new IllegalArgumentException("segment " + s + " outside frames [0, " + frames + ")");
            boolean emitted = false;
            for (int f = s.startFrame(); f < s.endFrame(); f++) {
                if (covered[f]) throw new IllegalArgumentException("segments overlap at frame " + f);
                covered[f] = true;
                if (predicted[f] == s.token()) emitted = true;
            }
            for (int f = s.startFrame(); f < s.endFrame(); f++) {
                int p = predicted[f];
                mistake[f] = !emitted || (p != s.token() && p != blank);
            }
        }
        for (int f = 0; f < frames; f++) {
            if (!covered[f]) mistake[f] = predicted[f] != blank && predicted[f] != wordDelimiter;
        }
        return mistake;
    }

    /**
     * Segments from a per-frame reference (token id per frame, −1 = no letter): each run of equal ids
     * is one segment. A doubled letter ("kk") whose two spans touch becomes ONE segment this way; pass
     * real segments to {@link #mistakes} when the alignment has them.
     */
    public static List<Segment> segmentsFromFrames(int[] referenceTokenPerFrame) {
        List<Segment> out = new java.util.ArrayList<>();
        int f = 0;
        while (f < referenceTokenPerFrame.length) {
            int token = referenceTokenPerFrame[f], start = f;
            while (f < referenceTokenPerFrame.length && referenceTokenPerFrame[f] == token) f++;
            if (token >= 0) out.add(new Segment(token, start, f));
        }
        return out;
    }
}
