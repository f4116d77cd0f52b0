package wavlens.corpus;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ConvGeometryTest {
    static final Path SHARED = Path.of("../../shared/testdata/wav2vec2");

    @Test
    void wav2vec2HopAndReceptiveField() {
        ConvGeometry g = ConvGeometry.wav2vec2();
        assertEquals(320, g.hopSamples());          // 5·2^6
        assertEquals(400, g.receptiveFieldSamples()); // 25 ms at 16 kHz
        assertEquals(0.0125, g.frameCentreSeconds(0, 16000), 1e-15);
        assertEquals(0.0325, g.frameCentreSeconds(1, 16000), 1e-15);
        assertEquals(0.0, g.frameStartSeconds(0, 16000));
    }

    /** Frame counts the HF reference run produced (shared/testdata/wav2vec2/README.md). */
    @Test
    void frameCountsMatchTheReferenceModels() {
        ConvGeometry g = ConvGeometry.fromConfig(SHARED.resolve("ctc-base/config.json"));
        assertEquals(64, g.frameCount(20800));
        assertEquals(98, g.frameCount(31508));
        assertEquals(49, g.frameCount(16000));
        assertEquals(27, g.frameCount(9001));
        assertEquals(0, g.frameCount(399));
        assertEquals(1, g.frameCount(400));
    }

    @Test
    void smallStackByHand() {
        // kernels 3,2 strides 2,2: output j of layer 2 reads layer-1 outputs 2j, 2j+1, which read
        // samples 4j .. 4j+4: hop 4, receptive field 5. 10 samples → 4 → 2 frames.
        ConvGeometry g = new ConvGeometry(new int[] {3, 2}, new int[] {2, 2});
        assertEquals(4, g.hopSamples());
        assertEquals(5, g.receptiveFieldSamples());
        assertEquals(2, g.frameCount(10));
        assertEquals(1, g.frameCount(5));
        assertEquals(0, g.frameCount(4));
    }

    /** Without padding a frame exists exactly when its receptive field fits: t·hop + rf ≤ n. */
    @Property(tries = 300)
    void frameCountIsTheNumberOfWindowsThatFit(@ForAll @Size(min = 1, max = 5) java.util.List<@IntRange(min = 1, max = 6) Integer> kernels,
                                               @ForAll @IntRange(min = 1, max = 3) int strideSeed,
                                               @ForAll @IntRange(min = 0, max = 5000) int samples) {
        int[] k = kernels.stream().mapToInt(Integer::intValue).toArray();
        int[] s = new int[k.length];
        for (int i = 0; i < k.length; i++) s[i] = 1 + (strideSeed + i) % 3;
        ConvGeometry g = new ConvGeometry(k, s);
        int fits = 0;
        while ((long) fits * g.hopSamples() + g.receptiveFieldSamples() <= samples) fits++;
        assertEquals(fits, g.frameCount(samples));
    }
}
