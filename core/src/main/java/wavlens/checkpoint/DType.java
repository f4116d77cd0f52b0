package wavlens.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Element types of checkpoint tensors. The constant names are the safetensors dtype strings; the
 * PyTorch storage classes map onto them in {@link #ofTorchStorage}.
 */
public enum DType {
    F32(4), F16(2), BF16(2), F64(8), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The safetensors dtype string ("F32", "BF16", ...) as a DType, or null if it is none of ours. */
    static DType ofSafetensors(String name) {
        for (DType t : values()) if (t.name().equals(name)) return t;
        return null;
    }

    /** torch.FloatStorage and friends (the storage classes torch.save names in persistent ids), or null. */
    static DType ofTorchStorage(String className) {
        return switch (className) {
            case "FloatStorage" -> F32;
            case "HalfStorage" -> F16;
            case "BFloat16Storage" -> BF16;
            case "DoubleStorage" -> F64;
            case "LongStorage" -> I64;
            case "IntStorage" -> I32;
            case "ShortStorage" -> I16;
            case "CharStorage" -> I8;
            case "ByteStorage" -> U8;
            case "BoolStorage" -> BOOL;
            default -> null;
        };
    }

    // Checkpoint files are little-endian whatever the machine; the unaligned layouts also accept
    // tensors that start at an odd address (safetensors does not promise alignment).
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Element {@code index} of {@code data} (an array of this type) as a float32. */
    float floatAt(MemorySegment data, long index) {
        long at = index * bytes;
        return switch (this) {
            case F32 -> data.get(F32_LE, at);
            case F16 -> Float.float16ToFloat(data.get(I16_LE, at));
            // bfloat16 is the upper half of a float32: shift the 16 bits back into place
            case BF16 -> Float.intBitsToFloat((data.get(I16_LE, at) & 0xFFFF) << 16);
            case F64 -> (float) data.get(F64_LE, at);
            case I64 -> (float) data.get(I64_LE, at);
            case I32 -> (float) data.get(I32_LE, at);
            case I16 -> data.get(I16_LE, at);
            case I8 -> data.get(ValueLayout.JAVA_BYTE, at);
            case U8 -> data.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
            case BOOL -> data.get(ValueLayout.JAVA_BYTE, at) != 0 ? 1f : 0f;
        };
    }
}
