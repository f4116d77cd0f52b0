package wavlens.corpus;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameLabelerTest {
    /*
     * 0.2 s at 16 kHz = 3200 samples → 9 frames (floor((3200 - 400) / 320) + 1).
     * Frame t covers [20t, 20t + 25) ms and stands for its centre 20t + 12.5 ms.
     * Tier (ms):  [0,45) ""   [45,72.5) "a"   [72.5,110) "b"   [110,150) "spn"   [150,200) "sil"
     *
     * t  centre  label       span        majority share
     * 0   12.5   <sil>       0–25        25/25 = 1
     * 1   32.5   <sil>       20–45       25/25 = 1
     * 2   52.5   a           40–65       a 20, sil 5        → 0.8
     * 3   72.5   b (on the   60–85       a 12.5, b 12.5     → 0.5
     *            boundary: later interval)
     * 4   92.5   b           80–105      1
     * 5  112.5   <unk> (spn) 100–125     b 10, unk 15       → 0.6
     * 6  132.5   <unk>       120–145     1
     * 7  152.5   <sil>       140–165     unk 10, sil 15     → 0.6
     * 8  172.5   <sil>       160–185     1
     */
    static Tier tier() {
        return TextGrid.checkedIntervalTier("t", "phones", 0, 0.2, List.of(
                new Interval(0, 0.045, ""), new Interval(0.045, 0.0725, "a"), new Interval(0.0725, 0.11, "b"),
                new Interval(0.11, 0.15, "spn"), new Interval(0.15, 0.2, "sil")), null, true, new ArrayList<>());
    }

    @Test
    void labelsByFrameCentreWithMajorityShare() {
        FrameLabeler labeler = new FrameLabeler(ConvGeometry.wav2vec2(), 16000, LabelInventory.growing(), FrameLabeler.Options.defaults());
        FrameLabeler.FrameLabels labels = labeler.label(tier(), 3200);
        assertEquals(List.of("<sil>", "<unk>", "a", "b"), labels.inventory());
        assertArrayEquals(new int[] {0, 0, 2, 3, 3, 1, 1, 0, 0}, labels.ids());
        assertArrayEquals(new float[] {1, 1, 0.8f, 0.5f, 1, 0.6f, 1, 0.6f, 1}, labels.majorityFraction(), 1e-6f);
    }

    @Test
    void silenceAndUnknownCanBeExcluded() {
        FrameLabeler.Options options = FrameLabeler.Options.defaults().excluding(true, false);
        FrameLabeler labeler = new FrameLabeler(ConvGeometry.wav2vec2(), 16000, LabelInventory.growing(), options);
        assertArrayEquals(new int[] {-1, -1, 2, 3, 3, 1, 1, -1, -1}, labeler.label(tier(), 3200).ids());
        labeler = new FrameLabeler(ConvGeometry.wav2vec2(), 16000, LabelInventory.growing(), options.excluding(true, true));
        assertArrayEquals(new int[] {-1, -1, 2, 3, 3, -1, -1, -1, -1}, labeler.label(tier(), 3200).ids());
    }

    @Test
    void fixedInventoryMapsOtherLabelsToUnknown() {
        LabelInventory fixed = LabelInventory.fixed(List.of("b", "c"));
        FrameLabeler labeler = new FrameLabeler(ConvGeometry.wav2vec2(), 16000, fixed, FrameLabeler.Options.defaults());
        FrameLabeler.FrameLabels labels = labeler.label(tier(), 3200);
        assertEquals(List.of("<sil>", "<unk>", "b", "c"), labels.inventory());
        assertArrayEquals(new int[] {0, 0, 1, 2, 2, 1, 1, 0, 0}, labels.ids());
    }

    @Test
    void inventoryIdsStayStableAcrossUtterances() {
        LabelInventory inv = LabelInventory.growing();
        FrameLabeler labeler = new FrameLabeler(ConvGeometry.wav2vec2(), 16000, inv, FrameLabeler.Options.defaults());
        labeler.label(tier(), 3200);
        Tier other = TextGrid.checkedIntervalTier("t", "phones", 0, 0.1, List.of(
                new Interval(0, 0.05, "c"), new Interval(0.05, 0.1, "a")), null, true, new ArrayList<>());
        // 1600 samples → 4 frames, centres 12.5, 32.5, 52.5, 72.5 ms
        FrameLabeler.FrameLabels labels = labeler.label(other, 1600);
        assertArrayEquals(new int[] {4, 4, 2, 2}, labels.ids());
        assertEquals(List.of("<sil>", "<unk>", "a", "b", "c"), labels.inventory());
    }

    @Test
    void timeBeyondTheTierIsSilence() {
        Tier shortTier = TextGrid.checkedIntervalTier("t", "w", 0, 0.04, List.of(new Interval(0, 0.04, "a")), null, true, new ArrayList<>());
        FrameLabeler labeler = new FrameLabeler(ConvGeometry.wav2vec2(), 16000, LabelInventory.growing(), FrameLabeler.Options.defaults());
        FrameLabeler.FrameLabels labels = labeler.label(shortTier, 1600); // centres 12.5, 32.5, 52.5, 72.5 ms
        assertArrayEquals(new int[] {2, 2, 0, 0}, labels.ids());
        // frame 1 spans 20–45 ms: "a" until 40, then nothing (silence) → 20/25
        assertArrayEquals(new float[] {1, 0.8f, 1, 1}, labels.majorityFraction(), 1e-6f);
    }

    @Test
    void pointTiersCannotLabelFrames() {
        Tier points = new Tier("p", true, 0, 1, List.of(new Interval(0.5, 0.5, "x")));
        FrameLabeler labeler = new FrameLabeler(ConvGeometry.wav2vec2(), 16000, LabelInventory.growing(), FrameLabeler.Options.defaults());
        assertThrows(IllegalArgumentException.class, () -> labeler.label(points, 16000));
    }

    @Test
    void canonicalLabels() {
        FrameLabeler.Options o = FrameLabeler.Options.defaults();
        assertEquals("<sil>", FrameLabeler.canonical("  ", o));
        assertEquals("<sil>", FrameLabeler.canonical("SIL", o));
        assertEquals("<sil>", FrameLabeler.canonical("sp", o));
        assertEquals("<unk>", FrameLabeler.canonical("spn", o));
        assertEquals("<unk>", FrameLabeler.canonical("<unk>", o));
        assertEquals("ŋː", FrameLabeler.canonical(" ŋː ", o));
    }
}
