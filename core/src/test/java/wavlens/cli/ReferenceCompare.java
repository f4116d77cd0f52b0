package wavlens.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import wavlens.io.Npy;

final class ReferenceCompare {
    private ReferenceCompare() {}

    /** Element-wise |a − e| ≤ tol·(1 + |e|) against a reference .npy. */
    static void close(Path expected, float[] actual, double tol) {
        float[] e = Npy.read(expected).asFloats();
        assertTrue(e.length == actual.length, "length");
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(actual[i] - e[i]) <= tol * (1 + Math.abs(e[i])),
                    expected.getFileName() + "[" + i + "]: expected " + e[i] + ", got " + actual[i]);
        }
    }
}
