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
