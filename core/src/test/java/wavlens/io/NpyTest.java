package wavlens.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    static final Path SHARED = Path.of("../../shared/testdata/wav2vec2");

    @Test
    void readsNumpyWrittenFloatMatrix() {
        Npy.Array a = Npy.read(SHARED.resolve("ctc-base/expected/synthetic/logits.npy"));
        assertArrayEquals(new int[] {64, 32}, a.shape());
        assertEquals("<f4", a.dtype());
        assertEquals(64 * 32, a.floats().length);
    }

    @Test
    void readsNumpyWrittenInts() {
        Npy.Array a = Npy.read(SHARED.resolve("ctc-base/expected/synthetic/predicted_ids.npy"));
        assertArrayEquals(new int[] {64}, a.shape());
        assertNotNull(a.ints());
    }

    /** Row ranges through the memory map are the same values as the whole-file reader's, for numpy-written f4 and i8 and our f2. */
    @Test
    void rowRangesAreTheRowsOfTheWholeArray(@TempDir Path dir) {
        Path logits = SHARED.resolve("ctc-base/expected/synthetic/logits.npy");
        float[] all = Npy.read(logits).floats();
        Npy.Header h = Npy.header(logits);
        assertEquals(64, h.rows());
        assertEquals(32, h.cols());
        assertArrayEquals(java.util.Arrays.copyOfRange(all, 10 * 32, 27 * 32), Npy.readRows(logits, 10, 17));
        assertEquals(0, Npy.readRows(logits, 64, 0).length);
        Path ids = SHARED.resolve("ctc-base/expected/synthetic/predicted_ids.npy");
        long[] allIds = Npy.read(ids).asLongs();
        assertArrayEquals(java.util.Arrays.copyOfRange(allIds, 5, 60), Npy.readLongs(ids, 5, 55));
        Path half = dir.resolve("h.npy");
        float[] v = new float[7 * 3];
        for (int i = 0; i < v.length; i++) v[i] = (i - 10) * 0.375f;
        Npy.writeHalfs(half, v, 7, 3);
        assertArrayEquals(java.util.Arrays.copyOfRange(v, 6, 15), Npy.readRows(half, 2, 3));
        UserError e = assertThrows(UserError.class, () -> Npy.readRows(logits, 60, 5));
        assertTrue(e.getMessage().contains("logits.npy") && e.getMessage().contains("outside its 64 rows"), e.getMessage());
        assertThrows(UserError.class, () -> Npy.readRows(ids, 0, 1));   // integers are not a float matrix
    }

    @Test
    void roundTripsAndPadsHeaderTo64(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.npy");
        float[] v = {1, 2, 3, 4, 5, 6};
        Npy.writeFloats(f, v, 2, 3);
        byte[] bytes = Files.readAllBytes(f);
        assertEquals(0, (bytes.length - 24) % 64, "data must start at a multiple of 64");
        Npy.Array back = Npy.read(f);
        assertArrayEquals(new int[] {2, 3}, back.shape());
        assertArrayEquals(v, back.floats());
        Path g = dir.resolve("i.npy");
        Npy.writeInts(g, new int[] {7, -1}, 2);
        assertArrayEquals(new int[] {7, -1}, Npy.read(g).ints());
    }

    @Test
    void refusesGarbageWithFileName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.npy");
        Files.writeString(f, "hello world");
        UserError e = assertThrows(UserError.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("bad.npy"));
    }
}
