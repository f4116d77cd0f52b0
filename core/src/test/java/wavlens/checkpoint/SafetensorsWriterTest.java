package wavlens.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wavlens.io.UserError;

class SafetensorsWriterTest {
    /**
     * Reading a shared checkpoint and writing its tensors back gives the very same bytes: the
     * header layout (key order, compact JSON, space padding) and the data packing match the HF
     * safetensors library. For the F16 file this also shows F16 → F32 → F16 is exact.
     */
    @ParameterizedTest
    @ValueSource(strings = {"base-group", "large-layer", "ctc-base", "ctc-large-fp16"})
    void rewritingASharedCheckpointIsByteIdentical(String name, @TempDir Path dir) throws IOException {
        Path original = SharedCheckpointsTest.SHARED.resolve(name).resolve(Weights.SAFETENSORS);
        Map<String, float[]> tensors = new HashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        DType dtype;
        try (Weights w = Weights.open(original)) {
            for (String key : w.names()) {
                tensors.put(key, w.floats(key));
                shapes.put(key, w.info(key).shape());
            }
            dtype = w.info(w.names().iterator().next()).dtype();
        }
        Path copy = dir.resolve("copy.safetensors");
        SafetensorsWriter.write(copy, tensors, shapes, dtype, Map.of());
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy));
        assertEquals(List.of(copy), Files.list(dir).toList(), "no temporary files left behind");
    }

    @Test
    void float16RoundsToNearestEvenAndHeaderIsPadded(@TempDir Path dir) throws IOException {
        // hand-computed half precision values (1 sign, 5 exponent, 10 mantissa bits):
        // 1/3 = 1.0101010101|01.. x 2^-2 rounds down to 0x3555 = 1365/4096;
        // 65520 lies halfway between 65504 (largest finite) and 2^16, ties to even → infinity;
        // 1e-8 is below half the smallest subnormal 2^-24 → 0; 2^-24 itself is exact
        float[] values = {1f / 3, 65520f, 1e-8f, 0x1p-24f, -2.5f, 65504f};
        float[] expected = {1365f / 4096, Float.POSITIVE_INFINITY, 0f, 0x1p-24f, -2.5f, 65504f};
        Path file = dir.resolve("half.safetensors");
        SafetensorsWriter.write(file, Map.of("x", values, "empty", new float[0]), Map.of("x", new long[] {2, 3}, "empty", new long[] {0, 4}),
                DType.F16, Map.of("step", "12"));
        try (Weights w = Weights.open(file)) {
            assertEquals(DType.F16, w.info("x").dtype());
            assertArrayEquals(new long[] {2, 3}, w.info("x").shape());
            assertArrayEquals(expected, w.floats("x"));
            assertArrayEquals(new float[0], w.floats("empty"));
        }
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
        assertEquals(8 + headerLength + 6 * 2, bytes.length);
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertEquals("{\"__metadata__\":{\"format\":\"pt\",\"step\":\"12\"},"
                + "\"empty\":{\"dtype\":\"F16\",\"shape\":[0,4],\"data_offsets\":[0,0]},"
                + "\"x\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}", header.stripTrailing());
    }

    @Test
    void shardedSafetensorsAreJoinedThroughTheIndex(@TempDir Path dir) throws IOException {
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), Map.of("a", new float[] {1, 2, 3}), Map.of("a", new long[] {3}), DType.F32, Map.of());
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), Map.of("b", new float[] {4, 5}), Map.of("b", new long[] {1, 2}), DType.F16, Map.of());
        Files.writeString(dir.resolve(Weights.SAFETENSORS_INDEX), """
                {"metadata": {"total_size": 16}, "weight_map": {
                  "a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        try (Weights w = Weights.open(dir)) {
            assertEquals(List.of("a", "b"), List.copyOf(w.names()));
            assertArrayEquals(new float[] {1, 2, 3}, w.floats("a"));
            assertArrayEquals(new float[] {4, 5}, w.floats("b"));
            assertTrue(w.f32("a").isMapped());
            assertEquals(dir.resolve("model-00002-of-00002.safetensors"), w.info("b").file());
        }
        Files.writeString(dir.resolve(Weights.SAFETENSORS_INDEX), """
                {"weight_map": {"a": "model-00001-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"}}""");
        UserError e = assertThrows(UserError.class, () -> Weights.open(dir));
        assertEquals(dir.resolve("model-00002-of-00002.safetensors") + ": no tensor named c (the index model.safetensors.index.json puts it here)", e.getMessage());

        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        e = assertThrows(UserError.class, () -> Weights.open(dir));
        assertEquals(dir.resolve("model-00002-of-00002.safetensors") + ": missing shard (listed in model.safetensors.index.json for c)", e.getMessage());
    }
}
