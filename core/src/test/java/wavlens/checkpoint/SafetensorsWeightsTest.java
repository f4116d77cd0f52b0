package wavlens.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.Json;
import wavlens.io.UserError;

/** Safetensors reading: every dtype (fixture written byte by byte in Python), opening rules, and each kind of broken file. */
class SafetensorsWeightsTest {
    static final Path FIXTURES = SharedCheckpointsTest.FIXTURES;

    @Test
    void everyDtypeConvertsToTheValuesNumpyStored() {
        JsonNode expected = Json.read(FIXTURES.resolve("dtypes_values.json"));
        try (Weights w = Weights.open(FIXTURES.resolve("dtypes.safetensors"))) {
            assertEquals(expected.size(), w.names().size());
            for (Map.Entry<String, JsonNode> e : expected.properties()) {
                TensorInfo info = w.info(e.getKey());
                assertEquals(DType.valueOf(e.getValue().get("dtype").asText()), info.dtype());
                assertArrayEquals(SharedCheckpointsTest.longs(e.getValue().get("shape")), info.shape());
                float[] actual = w.floats(e.getKey());
                JsonNode values = e.getValue().get("values");
                assertEquals(values.size(), actual.length);
                for (int i = 0; i < actual.length; i++) assertEquals((float) values.get(i).asDouble(), actual[i], 0f, e.getKey() + "[" + i + "]");
            }
            // a 0-d tensor has one element
            assertEquals(1, w.info("k_scalar").numel());
            assertEquals("[]", w.info("k_scalar").shapeText());
            // b_f32_misaligned follows a 3-byte U8 tensor: copied so that aligned float access works
            MemorySegment misaligned = w.f32("b_f32_misaligned");
            assertFalse(misaligned.isMapped());
            assertEquals(0, misaligned.address() % 4);
            assertEquals(w.floats("b_f32_misaligned")[5], misaligned.get(ValueLayout.JAVA_FLOAT, 20));
        }
    }

    @Test
    void directoryErrors(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        UserError e = assertThrows(UserError.class, () -> Weights.open(missing));
        assertEquals(missing + ": no such directory", e.getMessage());
        e = assertThrows(UserError.class, () -> Weights.open(dir));
        assertTrue(e.getMessage().startsWith(dir + ": no model weights here (looked for model.safetensors,"), e.getMessage());
        try (Weights w = Weights.open(FIXTURES.resolve("dtypes.safetensors"))) {
            e = assertThrows(UserError.class, () -> w.info("missing.weight"));
            assertEquals(FIXTURES.resolve("dtypes.safetensors") + ": no tensor named missing.weight", e.getMessage());
        }
    }

    /** A safetensors file with the given header text (unpadded) followed by dataBytes zero bytes. */
    static Path file(Path dir, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Path file = dir.resolve(Weights.SAFETENSORS);
        Files.write(file, b.array());
        return file;
    }

    static String errorOpening(Path file) {
        return assertThrows(UserError.class, () -> Weights.open(file.getParent())).getMessage();
    }

    @Test
    void brokenFilesGiveOneErrorNamingFileAndTensor(@TempDir Path dir) throws IOException {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}";
        Path f = file(dir, ok, 24);
        try (Weights w = Weights.open(dir)) {
            assertArrayEquals(new float[6], w.floats("a"));
        }

        f = file(dir, ok, 20); // data cut short
        assertEquals(f + ": tensor a: data_offsets [0, 24] outside the 20 data bytes of the file (truncated file?)", errorOpening(f));

        byte[] whole = Files.readAllBytes(file(dir, ok, 24));
        Files.write(f, Arrays.copyOf(whole, 30)); // cut inside the header
        assertEquals(f + ": truncated safetensors file: the header alone should be " + ok.length() + " bytes but only 22 follow", errorOpening(f));

        Files.write(f, new byte[5]);
        assertEquals(f + ": too short for a safetensors file (5 bytes)", errorOpening(f));

        Files.writeString(f, "PK\u0003\u0004 this is a zip, not safetensors");
        assertTrue(errorOpening(f).startsWith(f + ": not a safetensors file (header length "), errorOpening(f));

        file(dir, "{\"a\": [1, 2", 0);
        assertTrue(errorOpening(f).startsWith(f + ": safetensors header is not valid JSON ("), errorOpening(f));

        file(dir, "[1, 2, 3]", 0);
        assertEquals(f + ": safetensors header is not a JSON object", errorOpening(f));

        file(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,4]}}", 24);
        assertEquals(f + ": tensor a: data_offsets [8, 4] outside the 24 data bytes of the file", errorOpening(f));

        file(dir, "{\"a\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", 24);
        assertEquals(f + ": tensor a: data_offsets span 24 bytes but F16 [2, 3] needs 12", errorOpening(f));

        file(dir, "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
        assertEquals(f + ": tensor a: unsupported dtype \"F8_E4M3\"", errorOpening(f));

        file(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,-3],\"data_offsets\":[0,24]}}", 24);
        assertTrue(errorOpening(f).startsWith(f + ": tensor a: \"shape\" must hold non-negative integers"), errorOpening(f));
    }

    @Test
    void openingALargeFileMapsItWithoutReading(@TempDir Path dir) throws IOException {
        // 360 MB of float32 data in a sparse file: opening must cost the header only
        long numel = 90_000_000L;
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + numel + "],\"data_offsets\":[0," + 4 * numel + "]}}";
        header += " ".repeat((8 - header.length() % 8) % 8); // padded as the safetensors library does, so the data is aligned
        Path f = file(dir, header, 0);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(8 + header.length() + 4 * numel);
            raf.seek(8 + header.length() + 4 * (numel - 1));
            raf.writeInt(Integer.reverseBytes(Float.floatToIntBits(1.5f))); // little-endian last element
        }
        long start = System.nanoTime();
        try (Weights w = Weights.open(dir)) {
            MemorySegment seg = w.f32("w");
            long micros = (System.nanoTime() - start) / 1000;
            assertTrue(seg.isMapped());
            assertEquals(4 * numel, seg.byteSize());
            assertEquals(1.5f, seg.get(ValueLayout.JAVA_FLOAT, 4 * (numel - 1)));
            System.out.println("open + f32 of a 360 MB safetensors file: " + micros + " us");
        }
    }
}
