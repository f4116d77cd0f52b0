package wavlens.store;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;

class StoreImportTest {
    @Test
    void importsRowsAndLayersIntoTheStoreLayout(@TempDir Path tmp) throws Exception {
        Path csv = Files.writeString(tmp.resolve("rows.csv"), "utt,label,time\nu1,a,0.01\nu1,b,0.03\nu2,,0.05\nu2,a,0.07\n");
        Npy.writeFloats(tmp.resolve("l0.npy"), new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
        Npy.writeFloats(tmp.resolve("l3.npy"), new float[] {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3}, 4, 3);
        Path out = tmp.resolve("store");
        assertEquals(4, StoreImport.run(csv, Map.of(0, tmp.resolve("l0.npy"), 3, tmp.resolve("l3.npy")), "frames", out));
        List<List<String>> rows = Csv.read(out.resolve("frames/rows.csv"));
        assertEquals(List.of("row", "utt", "label", "time", "label_id"), rows.get(0));
        // <sil> = 0, <unk> = 1, then a, b in sorted order; the empty label is silence
        assertEquals(List.of("0", "u1", "a", "0.01", "2"), rows.get(1));
        assertEquals("0", rows.get(3).get(4));
        assertArrayEquals(new int[] {4, 3}, Npy.read(out.resolve("frames/layer_3.npy")).shape());
        assertEquals(2, Json.read(out.resolve("store.json")).path("label_frame_counts").path("a").asInt());
    }

    @Test
    void mismatchedRowCountsNameTheFile(@TempDir Path tmp) throws Exception {
        Path csv = Files.writeString(tmp.resolve("rows.csv"), "utt,label\nu1,a\nu1,b\n");
        Npy.writeFloats(tmp.resolve("l0.npy"), new float[] {1, 2, 3}, 3, 1);
        UserError e = assertThrows(UserError.class, () -> StoreImport.run(csv, Map.of(0, tmp.resolve("l0.npy")), "frames", tmp.resolve("s")));
        assertTrue(e.getMessage().contains("l0.npy") && e.getMessage().contains("3 rows"), e.getMessage());
        Path noLabel = Files.writeString(tmp.resolve("bad.csv"), "utt,phone\nu1,a\n");
        e = assertThrows(UserError.class, () -> StoreImport.run(noLabel, Map.of(0, tmp.resolve("l0.npy")), "frames", tmp.resolve("s2")));
        assertTrue(e.getMessage().contains("bad.csv") && e.getMessage().contains("label"), e.getMessage());
    }
}
