package wavlens.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * One or more safetensors files, memory-mapped. The format
 * (https://huggingface.co/docs/safetensors): an unsigned 64-bit little-endian header length N, N
 * bytes of UTF-8 JSON mapping each tensor name to {"dtype", "shape", "data_offsets": [begin, end)}
 * with offsets relative to the first byte after the header, then the raw little-endian C-order data.
 */
final class SafetensorsWeights extends WeightsBase {
    /** The safetensors library refuses headers above 100 MB; a larger "length" means this is not a safetensors file. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    /** Where each tensor's bytes are: a slice of its mapped file. */
    private final Map<String, MemorySegment> data = new HashMap<>();

    private SafetensorsWeights(Path source) {
        super(source);
    }

    static SafetensorsWeights open(Path file) {
        SafetensorsWeights weights = new SafetensorsWeights(file);
        try {
            Map<String, TensorInfo> tensors = weights.mapFile(file);
            tensors.values().forEach(weights::addTensor);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
        return weights;
    }

    /**
     * A sharded checkpoint: model.safetensors.index.json has "weight_map": {tensor name: shard file
     * name}, shards beside the index. Every shard is mapped when the checkpoint is opened (mapping
     * reads only the headers).
     */
    static SafetensorsWeights openSharded(Path index) {
        Map<String, Path> shardOf = readWeightMap(index);
        SafetensorsWeights weights = new SafetensorsWeights(index);
        try {
            Map<Path, Map<String, TensorInfo>> shards = new HashMap<>();
            for (Map.Entry<String, Path> e : shardOf.entrySet()) {
                Path shard = e.getValue();
                if (!shards.containsKey(shard)) shards.put(shard, weights.mapFile(shard));
                TensorInfo info = shards.get(shard).get(e.getKey());
                if (info == null) throw UserError.inFile(shard, "no tensor named " + e.getKey() + " (the index " + index.getFileName() + " puts it here)");
                weights.addTensor(info);
            }
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
        return weights;
    }

    /** The "weight_map" of a shard index (safetensors or .bin), with shard paths resolved beside the index and checked to exist. */
    static Map<String, Path> readWeightMap(Path index) {
        JsonNode map = Json.read(index).get("weight_map");
        if (map == null || !map.isObject()) throw UserError.inFile(index, "no \"weight_map\" object in the shard index");
        Map<String, Path> shardOf = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            if (!e.getValue().isTextual()) throw UserError.inFile(index, "weight_map entry " + e.getKey() + " is not a file name");
            Path shard = index.resolveSibling(e.getValue().asText());
            if (!Files.isRegularFile(shard)) throw UserError.inFile(shard, "missing shard (listed in " + index.getFileName() + " for " + e.getKey() + ")");
            shardOf.put(e.getKey(), shard);
        }
        return shardOf;
    }

    /** Maps one file into the arena, validates its header and records where each tensor's bytes are. */
    private Map<String, TensorInfo> mapFile(Path file) {
        MemorySegment mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        } catch (NoSuchFileException e) {
            throw UserError.inFile(file, "no such file");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
        long fileSize = mapped.byteSize();
        if (fileSize < 8) throw UserError.inFile(file, "too short for a safetensors file (" + fileSize + " bytes)");
        long headerBytes = mapped.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES) {
            throw UserError.inFile(file, "not a safetensors file (header length " + Long.toUnsignedString(headerBytes) + " is implausible)");
        }
        if (headerBytes > fileSize - 8) {
            throw UserError.inFile(file, "truncated safetensors file: the header alone should be " + headerBytes + " bytes but only " + (fileSize - 8) + " follow");
        }
        String headerText = new String(mapped.asSlice(8, headerBytes).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        JsonNode header;
        try {
            header = Json.MAPPER.readTree(headerText);
        } catch (JsonProcessingException e) {
            throw UserError.inFile(file, "safetensors header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (header == null || !header.isObject()) throw UserError.inFile(file, "safetensors header is not a JSON object");

        MemorySegment dataStart = mapped.asSlice(8 + headerBytes);
        long dataBytes = dataStart.byteSize();
        Map<String, TensorInfo> tensors = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) continue;
            JsonNode entry = e.getValue();
            String where = "tensor " + name + ": ";
            DType dtype = DType.ofSafetensors(entry.path("dtype").asText());
            if (dtype == null) throw UserError.inFile(file, where + "unsupported dtype " + entry.path("dtype"));
            long[] shape = longs(entry.get("shape"), -1, file, where + "\"shape\"");
            long[] offsets = longs(entry.get("data_offsets"), 2, file, where + "\"data_offsets\"");
            TensorInfo info = new TensorInfo(name, dtype, shape, file);
            long begin = offsets[0], end = offsets[1];
            if (begin > end || end > dataBytes) {
                throw UserError.inFile(file, where + "data_offsets [" + begin + ", " + end + "] outside the " + dataBytes
                        + " data bytes of the file" + (end > dataBytes ? " (truncated file?)" : ""));
            }
            long needed = byteCount(shape, dtype, file, where);
            if (end - begin != needed) {
                throw UserError.inFile(file, where + "data_offsets span " + (end - begin) + " bytes but " + dtype + " " + info.shapeText() + " needs " + needed);
            }
            data.put(name, dataStart.asSlice(begin, end - begin));
            tensors.put(name, info);
        }
        return tensors;
    }

    /** numel * element size, refusing shapes whose size does not fit in a long. */
    static long byteCount(long[] shape, DType dtype, Path file, String where) {
        try {
            long n = dtype.bytes();
            for (long s : shape) n = Math.multiplyExact(n, s);
            return n;
        } catch (ArithmeticException e) {
            throw UserError.inFile(file, where + "shape " + Arrays.toString(shape) + " is impossibly large");
        }
    }

    /** A JSON array of non-negative integers (of the given length, unless it is -1). */
    private static long[] longs(JsonNode array, int length, Path file, String what) {
        if (array == null || !array.isArray() || (length >= 0 && array.size() != length)) {
            throw UserError.inFile(file, what + " must be an array of " + (length >= 0 ? length + " " : "") + "integers, found " + array);
        }
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
                throw UserError.inFile(file, what + " must hold non-negative integers, found " + array);
            }
            out[i] = v.asLong();
        }
        return out;
    }

    @Override
    protected MemorySegment loadFloat32(TensorInfo info, Arena into) {
        MemorySegment bytes = data.get(info.name());
        // float32 at a 4-byte aligned address: hand out the mapped bytes themselves. Otherwise
        // (other dtypes, or a float32 tensor after an odd-sized one) convert into owned memory,
        // so that callers may use the aligned JAVA_FLOAT layout on every segment.
        if (info.dtype() == DType.F32 && bytes.address() % 4 == 0) return bytes;
        MemorySegment out = into.allocate(info.numel() * 4, 64);
        long[] shape = info.shape();
        toFloat32(bytes, info.dtype(), 0, shape, contiguousStrides(shape), out);
        return out;
    }
}
