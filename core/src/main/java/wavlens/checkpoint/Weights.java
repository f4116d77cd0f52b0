package wavlens.checkpoint;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import wavlens.io.UserError;

/**
 * The tensors of a HuggingFace checkpoint, read without Python: {@code model.safetensors} (memory
 * mapped, never copied when it is float32), a sharded safetensors checkpoint, or a
 * {@code pytorch_model.bin} written by torch.save (a zip archive with a pickled state dict, read
 * by a restricted pickle machine that only rebuilds tensors).
 *
 * <p>Segments returned by {@link #f32} stay valid until {@link #close}. All methods may be called
 * from several threads.
 */
public interface Weights extends AutoCloseable {
    String SAFETENSORS = "model.safetensors";
    String SAFETENSORS_INDEX = "model.safetensors.index.json";
    String TORCH_BIN = "pytorch_model.bin";
    String TORCH_BIN_INDEX = "pytorch_model.bin.index.json";

    /**
     * Opens the weights of a model directory, trying in HF's order of preference
     * model.safetensors, model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json.
     * A path to a single .safetensors or .bin file (or one of the index files) is opened directly.
     */
    static Weights open(Path modelDir) {
        if (Files.isRegularFile(modelDir)) return openFile(modelDir);
        if (!Files.exists(modelDir)) throw UserError.inFile(modelDir, "no such directory");
        if (!Files.isDirectory(modelDir)) throw UserError.inFile(modelDir, "not a directory or a weights file");
        for (String name : new String[] {SAFETENSORS, SAFETENSORS_INDEX, TORCH_BIN, TORCH_BIN_INDEX}) {
            Path file = modelDir.resolve(name);
            if (Files.isRegularFile(file)) return openFile(file);
        }
        throw UserError.inFile(modelDir, "no model weights here (looked for " + SAFETENSORS + ", "
                + SAFETENSORS_INDEX + ", " + TORCH_BIN + ", " + TORCH_BIN_INDEX + ")");
    }

    private static Weights openFile(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".safetensors")) return SafetensorsWeights.open(file);
        if (name.endsWith(".safetensors.index.json")) return SafetensorsWeights.openSharded(file);
        if (name.endsWith(".bin.index.json")) return TorchWeights.openSharded(file);
        if (name.endsWith(".bin") || name.endsWith(".pt") || name.endsWith(".pth")) return TorchWeights.open(file);
        throw UserError.inFile(file, "not a weights file (expected .safetensors, .bin or a shard index .json)");
    }

    /** All tensor names, sorted. */
    Set<String> names();

    boolean has(String name);

    /** Name, stored dtype, shape and file of a tensor; UserError "file: no tensor named X" if there is none. */
    TensorInfo info(String name);

    /**
     * The tensor as little-endian float32 in C order, numel*4 bytes, read-only. A float32 tensor of a
     * safetensors file is a slice of the mapped file (no copy); anything else is converted once into
     * off-heap memory owned by this object and cached.
     */
    MemorySegment f32(String name);

    /**
     * The tensor as {@link #f32} gives it, but not kept by this object: a conversion (or a read out
     * of a pytorch_model.bin archive) is allocated in `into` and freed with it, while a tensor
     * already float32 in a mapped file is handed out as the mapping. For one pass over large
     * checkpoints, where f32's cache would hold a float32 copy of every tensor until close.
     */
    MemorySegment f32Transient(String name, java.lang.foreign.Arena into);

    /** A heap copy of the tensor as float32, C order. */
    float[] floats(String name);

    /** Unmaps the files and frees converted tensors; segments from {@link #f32} become invalid. */
    @Override
    void close();
}
