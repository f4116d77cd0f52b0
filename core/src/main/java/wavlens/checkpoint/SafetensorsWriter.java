package wavlens.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import wavlens.io.AtomicFiles;
import wavlens.io.Json;

/**
 * Writes safetensors files laid out as the HF safetensors library writes them: an 8-byte
 * little-endian header length, the compact JSON header ("__metadata__" first, then the tensors
 * sorted by name, each with dtype, shape and data_offsets) padded with spaces to a multiple of 8
 * bytes, then the tensors' little-endian bytes packed in the same sorted order.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /**
     * @param tensors  name → values in C order
     * @param shapes   name → shape; the product must equal the number of values
     * @param dtype    F32, or F16 (values rounded to nearest even, as numpy and torch do)
     * @param metadata the "__metadata__" strings; "format": "pt" is added unless given (HF's loader expects it)
     */
    public static void write(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes, DType dtype, Map<String, String> metadata) {
        for (String name : tensors.keySet()) {
            if (!shapes.containsKey(name)) throw new IllegalArgumentException("no shape given for tensor " + name);
        }
        write(file, shapes, dtype, metadata, tensors::get);
    }

    /**
     * Streaming form: the tensors named by `shapes` are asked for one at a time, in file order,
     * so a checkpoint far larger than the heap can be written (random initialisation, training).
     */
    public static void write(Path file, Map<String, long[]> shapes, DType dtype, Map<String, String> metadata,
                             java.util.function.Function<String, float[]> tensors) {
        write(file, shapes, dtype, metadata, tensors, Map.of());
    }

    /**
     * As above, and the tensors named in {@code int64} (also named in {@code shapes}) are written
     * as I64 with the given values instead of being asked of {@code tensors} (BatchNorm's
     * num_batches_tracked counters).
     */
    public static void write(Path file, Map<String, long[]> shapes, DType dtype, Map<String, String> metadata,
                             java.util.function.Function<String, float[]> tensors, Map<String, long[]> int64) {
        if (dtype != DType.F32 && dtype != DType.F16) throw new IllegalArgumentException("can only write F32 or F16, not " + dtype);
        List<String> names = new ArrayList<>(new TreeMap<>(shapes).keySet());

        Map<String, String> meta = new TreeMap<>(metadata == null ? Map.of() : metadata);
        meta.putIfAbsent("format", "pt");
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", meta);
        long offset = 0;
        for (String name : names) {
            long[] shape = shapes.get(name);
            if (shape == null) throw new IllegalArgumentException("no shape given for tensor " + name);
            long numel = 1;
            for (long s : shape) numel *= s;
            DType written = int64.containsKey(name) ? DType.I64 : dtype;
            long bytes = numel * written.bytes();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", written.name());
            entry.put("shape", shape);
            entry.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(name, entry);
            offset += bytes;
        }
        byte[] json = Json.oneLine(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // so the data start (8 + header) is 8-byte aligned

        AtomicFiles.write(file, out -> {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(padded);
            out.write(buf.array(), 0, 8);
            out.write(json);
            for (int i = json.length; i < padded; i++) out.write(' ');
            for (String name : names) {
                long numel = 1;
                for (long d : shapes.get(name)) numel *= d;
                long[] integers = int64.get(name);
                if (integers != null) {
                    if (integers.length != numel) throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shapes.get(name))
                            + " has " + numel + " elements but " + integers.length + " values were given");
                    for (long v : integers) {
                        buf.clear();
                        buf.putLong(v);
                        out.write(buf.array(), 0, 8);
                    }
                    continue;
                }
                float[] values = tensors.apply(name);
                if (values == null || numel != values.length) {
                    throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shapes.get(name)) + " has " + numel
                            + " elements but " + (values == null ? "no" : values.length) + " values were given");
                }
                buf.clear();
                for (float v : values) {
                    if (buf.remaining() < 4) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    if (dtype == DType.F32) buf.putFloat(v);
                    else buf.putShort(Float.floatToFloat16(v));
                }
                out.write(buf.array(), 0, buf.position());
            }
        });
    }
}
