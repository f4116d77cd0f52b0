package wavlens.corpus;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Gives every wav2vec2 frame of an utterance one label from an alignment tier.
 *
 * <p>Rules (frame geometry in {@link ConvGeometry}):
 * <ul>
 * <li>A frame takes the label of the interval containing its centre time (t·hop + rf/2)/sr.
 *     Intervals are half-open, so a centre exactly on a boundary takes the later interval. A frame
 *     spanning a boundary thus gets the label of whichever side its centre lies on — which is
 *     also the label covering most of its span whenever it spans a single boundary.
 * <li>{@link FrameLabels#majorityFraction} additionally records, per frame, the share of its span
 *     [t·hop, t·hop + rf) covered by its most common label (1 = the frame lies inside one label),
 *     so analyses can drop boundary frames.
 * <li>Interval texts are trimmed. Empty text and the silence marks (default "sil", "sp",
 *     "&lt;eps&gt;", compared ignoring case) become {@link LabelInventory#SILENCE}; unknown marks
 *     (default "spn" — MFA's phone for out-of-dictionary words, i.e. speech whose content is
 *     unknown, so not silence — "&lt;unk&gt;", "[unk]", "&lt;spn&gt;") and labels a fixed inventory
 *     lacks become {@link LabelInventory#UNKNOWN}. Time outside the tier counts as silence.
 * <li>With {@link Options#excludeSilence} / {@link Options#excludeUnknown} those frames get id
 *     {@link #EXCLUDED} (-1) instead.
 * </ul>
 */
public final class FrameLabeler {
    public static final int EXCLUDED = -1;

    public record Options(Set<String> silenceMarks, Set<String> unknownMarks, boolean excludeSilence, boolean excludeUnknown) {
        public Options {
            silenceMarks = lowerCased(silenceMarks);
            unknownMarks = lowerCased(unknownMarks);
        }

        public static Options defaults() {
            return new Options(Set.of("sil", "sp", "<eps>"), Set.of("spn", "<unk>", "[unk]", "<spn>"), false, false);
        }

        public Options excluding(boolean silence, boolean unknown) {
            return new Options(silenceMarks, unknownMarks, silence, unknown);
        }

        private static Set<String> lowerCased(Set<String> marks) {
            return Set.copyOf(marks.stream().map(m -> m.toLowerCase(Locale.ROOT)).toList());
        }
    }

    /**
     * Per frame: label id (index into {@code inventory}, or {@link #EXCLUDED}) and the share of
     * the frame's span covered by its majority label. {@code inventory} is the labeller's
     * inventory as it stood after this utterance.
     */
    public record FrameLabels(int[] ids, float[] majorityFraction, List<String> inventory) {
        public int frames() {
            return ids.length;
        }
    }

    private final ConvGeometry geometry;
    private final int sampleRate;
    private final LabelInventory inventory;
    private final Options options;

    public FrameLabeler(ConvGeometry geometry, int sampleRate, LabelInventory inventory, Options options) {
        this.geometry = geometry;
        this.sampleRate = sampleRate;
        this.inventory = inventory;
        this.options = options;
    }

    public LabelInventory inventory() {
        return inventory;
    }

    /** The label an interval text stands for: SILENCE, UNKNOWN, or the trimmed text. */
    public String canonical(String text) {
        return canonical(text, options);
    }

    /** As {@link #canonical(String)} under the given options. */
    public static String canonical(String text, Options options) {
        String t = text.strip();
        String lower = t.toLowerCase(Locale.ROOT);
        if (t.isEmpty() || options.silenceMarks().contains(lower)) return LabelInventory.SILENCE;
        if (options.unknownMarks().contains(lower)) return LabelInventory.UNKNOWN;
        return t;
    }

    /**
     * Labels the frames of an utterance of {@code numSamples} samples (at the labeller's sample
     * rate — the rate the model sees, 16 kHz after resampling) from an interval tier whose times
     * count from the utterance start.
     */
    public FrameLabels label(Tier tier, long numSamples) {
        if (tier.pointTier()) {
            throw new IllegalArgumentException("tier '" + tier.name() + "' is a point tier; frame labels need an interval tier");
        }
        int frames = geometry.frameCount(numSamples);
        int[] ids = new int[frames];
        float[] fraction = new float[frames];
        List<Interval> items = tier.items();
        int[] itemIds = new int[items.size()];
        for (int k = 0; k < items.size(); k++) itemIds[k] = inventory.id(canonical(items.get(k).text()));

        double span = (double) geometry.receptiveFieldSamples() / sampleRate;
        int first = 0; // first interval that may still overlap the current frame (frames move forward in time)
        int[] overlapIds = new int[items.size() + 2];
        double[] overlapSec = new double[items.size() + 2];
        for (int t = 0; t < frames; t++) {
            double centre = geometry.frameCentreSeconds(t, sampleRate);
            Interval at = tier.intervalAt(centre);
            int id = at == null ? LabelInventory.SILENCE_ID : inventory.id(canonical(at.text()));

            // share of [start, end) per label: walk the intervals overlapping the span
            double start = geometry.frameStartSeconds(t, sampleRate), end = start + span;
            while (first < items.size() && items.get(first).end() <= start) first++;
            int distinct = 0;
            double covered = 0;
            for (int k = first; k < items.size() && items.get(k).start() < end; k++) {
                double overlap = Math.min(end, items.get(k).end()) - Math.max(start, items.get(k).start());
                if (overlap <= 0) continue;
                covered += overlap;
                distinct = add(overlapIds, overlapSec, distinct, itemIds[k], overlap);
            }
            if (covered < span) distinct = add(overlapIds, overlapSec, distinct, LabelInventory.SILENCE_ID, span - covered);
            double best = 0;
            for (int j = 0; j < distinct; j++) best = Math.max(best, overlapSec[j]);
            fraction[t] = (float) (best / span);

            if ((id == LabelInventory.SILENCE_ID && options.excludeSilence()) || (id == LabelInventory.UNKNOWN_ID && options.excludeUnknown())) {
                id = EXCLUDED;
            }
            ids[t] = id;
        }
        return new FrameLabels(ids, fraction, inventory.labels());
    }

    private static int add(int[] labelIds, double[] seconds, int distinct, int id, double overlap) {
        for (int j = 0; j < distinct; j++) {
            if (labelIds[j] == id) {
                seconds[j] += overlap;
                return distinct;
            }
        }
        labelIds[distinct] = id;
        seconds[distinct] = overlap;
        return distinct + 1;
    }
}
