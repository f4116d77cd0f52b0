package wavlens.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * pytorch_model.bin reading against fixtures written by torch.save (PyTorch 1.13) and values
 * read back by torch.load (tiny_values.json, see make_fixtures.py): every dtype, strided and
 * offset views, shared storages, stride 0, a 0-d tensor, an nn.Parameter, pickle protocols 2 and 4.
 */
class TorchWeightsTest {
    static final Path FIXTURES = SharedCheckpointsTest.FIXTURES;

    static final Map<String, DType> TORCH_DTYPES = Map.of(
            "torch.float32", DType.F32, "torch.float16", DType.F16, "torch.bfloat16", DType.BF16,
            "torch.float64", DType.F64, "torch.int64", DType.I64, "torch.int32", DType.I32,
            "torch.int16", DType.I16, "torch.int8", DType.I8, "torch.uint8", DType.U8, "torch.bool", DType.BOOL);

    @ParameterizedTest
    @ValueSource(strings = {"tiny.bin", "tiny_proto4.bin"})
    void everyTensorEqualsWhatTorchLoadReads(String file) {
        JsonNode expected = Json.read(FIXTURES.resolve("tiny_values.json"));
        try (Weights w = Weights.open(FIXTURES.resolve(file))) {
            assertEquals(expected.size(), w.names().size());
            for (Map.Entry<String, JsonNode> e : expected.properties()) {
                String name = e.getKey();
                TensorInfo info = w.info(name);
                assertEquals(TORCH_DTYPES.get(e.getValue().get("dtype").asText()), info.dtype(), name);
                assertArrayEquals(SharedCheckpointsTest.longs(e.getValue().get("shape")), info.shape(), name);
                assertEquals(FIXTURES.resolve(file), info.file());
                JsonNode values = e.getValue().get("values");
                // first as a transient read (not cached), then as the cached one
                try (java.lang.foreign.Arena scratch = java.lang.foreign.Arena.ofConfined()) {
                    float[] read = w.f32Transient(name, scratch).toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
                    for (int i = 0; i < read.length; i++) assertEquals((float) values.get(i).asDouble(), read[i], 0f, name + "[" + i + "] (transient)");
                }
                float[] actual = w.floats(name);
                assertEquals(values.size(), actual.length, name);
                for (int i = 0; i < actual.length; i++) assertEquals((float) values.get(i).asDouble(), actual[i], 0f, name + "[" + i + "]");
            }
        }
    }

    @Test
    void contiguousFloat32ViewsShareTheirStorage() {
        try (Weights w = Weights.open(FIXTURES.resolve("tiny.bin"))) {
            // rows_2_to_5 = big[2:5]: the same storage as big, 2 rows of 4 floats further on
            MemorySegment big = w.f32("big");
            MemorySegment rows = w.f32("rows_2_to_5");
            assertEquals(big.address() + 2 * 4 * 4, rows.address());
            assertTrue(rows.isReadOnly());
            // strided_view = big[1:, ::2] cannot be a slice: it is gathered into C order
            float[] all = w.floats("big"), strided = w.floats("strided_view");
            for (int r = 0; r < 5; r++) {
                for (int c = 0; c < 2; c++) assertEquals(all[(r + 1) * 4 + 2 * c], strided[r * 2 + c]);
            }
            // expanded = x.expand(3, 4) from a [3, 1] tensor: stride 0 repeats each value along a row
            float[] expanded = w.floats("expanded");
            for (int r = 0; r < 3; r++) {
                for (int c = 1; c < 4; c++) assertEquals(expanded[r * 4], expanded[r * 4 + c]);
            }
        }
    }

    @Test
    void sharedCtcBinIsReadFromAnyFolderName() {
        // the shared file's folder is "pytorch_model", the fixtures' "tiny" and "some_other_folder"
        try (Weights w = Weights.open(SharedCheckpointsTest.SHARED.resolve("ctc-bin"))) {
            assertEquals(72, w.names().size());
            assertArrayEquals(new long[] {24, 1, 10}, w.info("wav2vec2.feature_extractor.conv_layers.0.conv.weight").shape());
        }
    }

    @Test
    void legacyFormatIsRefusedClearly() {
        Path legacy = FIXTURES.resolve("legacy.bin");
        UserError e = assertThrows(UserError.class, () -> Weights.open(legacy));
        assertEquals(legacy + ": " + TorchWeights.LEGACY_FORMAT, e.getMessage());
    }

    /** A torch.save-like zip whose data.pkl is the given pickle. */
    static void writeZip(Path file, Map<String, byte[]> entries) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
    }

    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void unknownGlobalsAreRefused(@TempDir Path dir) throws IOException {
        // protocol 2: GLOBAL 'os system', then ('echo hi',) REDUCE — what a malicious pickle does
        Path evil = dir.resolve("evil.bin");
        writeZip(evil, Map.of("evil/data.pkl", bytes("\u0080\u0002cos\nsystem\nX\u0007\0\0\0echo hi\u0085R.")));
        UserError e = assertThrows(UserError.class, () -> Weights.open(evil));
        assertTrue(e.getMessage().startsWith(evil + ": refusing to unpickle os.system"), e.getMessage());

        // protocol 4: STACK_GLOBAL with the names pushed as short strings
        Path evil4 = dir.resolve("evil4.bin");
        writeZip(evil4, Map.of("x/data.pkl", bytes("\u0080\u0004\u008c\u0008builtins\u008c\u0004eval\u0093.")));
        e = assertThrows(UserError.class, () -> Weights.open(evil4));
        assertTrue(e.getMessage().startsWith(evil4 + ": refusing to unpickle builtins.eval"), e.getMessage());
    }

    @Test
    void corruptZipIsOneError(@TempDir Path dir) throws IOException {
        byte[] good = Files.readAllBytes(FIXTURES.resolve("tiny.bin"));
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(good, good.length / 2)); // starts like a zip, central directory gone
        UserError e = assertThrows(UserError.class, () -> Weights.open(cut));
        assertTrue(e.getMessage().startsWith(cut + ": corrupt zip archive"), e.getMessage());

        Path notZip = dir.resolve("random.bin");
        Files.writeString(notZip, "hello, not a checkpoint");
        e = assertThrows(UserError.class, () -> Weights.open(notZip));
        assertTrue(e.getMessage().startsWith(notZip + ": not a PyTorch checkpoint"), e.getMessage());
    }

    /** Copies tiny.bin, letting {@code change} replace (or drop, with null) entries by name. */
    static Path rewriteTiny(Path target, BiFunction<String, byte[], byte[]> change) throws IOException {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(FIXTURES.resolve("tiny.bin").toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry entry = en.nextElement();
                byte[] changed = change.apply(entry.getName(), zip.getInputStream(entry).readAllBytes());
                if (changed != null) entries.put(entry.getName(), changed);
            }
        }
        writeZip(target, entries);
        return target;
    }

    @Test
    void truncatedPickleAndShortStorageAreErrorsNamingTheFile(@TempDir Path dir) throws IOException {
        Path cutPickle = rewriteTiny(dir.resolve("a.bin"), (name, data) -> name.endsWith("data.pkl") ? Arrays.copyOf(data, 300) : data);
        UserError e = assertThrows(UserError.class, () -> Weights.open(cutPickle));
        assertTrue(e.getMessage().startsWith(cutPickle + ": data.pkl: ends in the middle"), e.getMessage());

        // storage 0 holds "f32" (3 x 4 floats = 48 bytes); give it 40
        Path shortStorage = rewriteTiny(dir.resolve("b.bin"), (name, data) -> name.equals("tiny/data/0") ? Arrays.copyOf(data, 40) : data);
        try (Weights w = Weights.open(shortStorage)) {
            e = assertThrows(UserError.class, () -> w.f32("f32"));
            assertEquals(shortStorage + ": storage tiny/data/0 has 40 bytes, but 12 F32 elements need 48", e.getMessage());
        }

        Path noStorage = rewriteTiny(dir.resolve("c.bin"), (name, data) -> name.equals("tiny/data/0") ? null : data);
        try (Weights w = Weights.open(noStorage)) {
            e = assertThrows(UserError.class, () -> w.f32("f32"));
            assertEquals(noStorage + ": missing storage tiny/data/0", e.getMessage());
        }
    }

    @Test
    void shardedBinIsJoinedThroughItsIndex(@TempDir Path dir) throws IOException {
        Files.copy(FIXTURES.resolve("tiny.bin"), dir.resolve("pytorch_model-00001-of-00002.bin"));
        Files.copy(SharedCheckpointsTest.SHARED.resolve("ctc-bin/pytorch_model.bin"), dir.resolve("pytorch_model-00002-of-00002.bin"));
        String index = """
                {"metadata": {"total_size": 0}, "weight_map": {
                  "f16": "pytorch_model-00001-of-00002.bin",
                  "strided_view": "pytorch_model-00001-of-00002.bin",
                  "lm_head.bias": "pytorch_model-00002-of-00002.bin"}}""";
        Files.writeString(dir.resolve(Weights.TORCH_BIN_INDEX), index);
        try (Weights sharded = Weights.open(dir);
             Weights tiny = Weights.open(FIXTURES.resolve("tiny.bin"));
             Weights ctc = Weights.open(SharedCheckpointsTest.SHARED.resolve("ctc-bin"))) {
            assertEquals(java.util.List.of("f16", "lm_head.bias", "strided_view"), java.util.List.copyOf(sharded.names()));
            assertArrayEquals(tiny.floats("f16"), sharded.floats("f16"));
            assertArrayEquals(tiny.floats("strided_view"), sharded.floats("strided_view"));
            assertArrayEquals(ctc.floats("lm_head.bias"), sharded.floats("lm_head.bias"));
            assertEquals(dir.resolve("pytorch_model-00002-of-00002.bin"), sharded.info("lm_head.bias").file());
        }
        Files.delete(dir.resolve("pytorch_model-00002-of-00002.bin"));
        UserError e = assertThrows(UserError.class, () -> Weights.open(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("pytorch_model-00002-of-00002.bin") + ": missing shard"), e.getMessage());
    }

    /** Appends pickle bytes: strings as Latin-1 (opcodes), ints as raw bytes. */
    static void emit(ByteArrayOutputStream out, Object... parts) {
        for (Object p : parts) {
            if (p instanceof String s) out.writeBytes(bytes(s));
            else out.write((Integer) p);
        }
    }

    static void unicode(ByteArrayOutputStream out, String s) {
        emit(out, "X", s.length(), 0, 0, 0, s); // BINUNICODE: 4-byte little-endian length
    }

    @Test
    void handAssembledPickleWithOldRebuildAndWideIntegers(@TempDir Path dir) throws IOException {
        // OrderedDict {"w": _rebuild_tensor(storage of 6 floats, offset 1, size (2, 2), stride (1, 2))},
        // integers spelled with BININT2, BININT and LONG1, plus a BUILD whose state holds a BINFLOAT
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        emit(p, "\u0080", 2, "ccollections\nOrderedDict\n)R(");
        unicode(p, "w");
        emit(p, "ctorch._utils\n_rebuild_tensor\n((");
        unicode(p, "storage");
        emit(p, "ctorch\nFloatStorage\n");
        unicode(p, "0");
        unicode(p, "cpu");
        emit(p, "M", 6, 0, "tQ");                              // numel 6 (BININT2), BINPERSID
        emit(p, "J", 1, 0, 0, 0);                              // storage_offset 1 (BININT)
        emit(p, "K", 2, "K", 2, "\u0086");                    // size (2, 2)
        emit(p, "\u008a", 1, 1, "K", 2, "\u0086");           // stride (1, 2), the 1 as LONG1
        emit(p, "tRu}");                                       // call, SETITEMS, then a state dict
        unicode(p, "lr");
        emit(p, "G", 0x3F, 0xE0, 0, 0, 0, 0, 0, 0, "sb.");     // 0.5 as a big-endian double, SETITEM, BUILD, STOP
        ByteBuffer storage = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) storage.putFloat(i);
        Path file = dir.resolve("hand.bin");
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        entries.put("hand/data.pkl", p.toByteArray());
        entries.put("hand/data/0", storage.array());
        writeZip(file, entries);
        try (Weights w = Weights.open(file)) {
            assertArrayEquals(new long[] {2, 2}, w.info("w").shape());
            // element (i, j) = storage[1 + i + 2 j]: [[1, 3], [2, 4]]
            assertArrayEquals(new float[] {1, 3, 2, 4}, w.floats("w"));
        }
    }
}
