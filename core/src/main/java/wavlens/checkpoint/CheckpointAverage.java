package wavlens.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import wavlens.io.AtomicFiles;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * Checkpoint averaging: the element-wise mean of the weights of several models of one shape,
 * written as a HuggingFace model folder.
 *
 * <p>Models fine-tuned from one start (successive runs, or periodic checkpoints of one run) lie in
 * one basin of the loss, and their mean usually lies nearer its flat centre than any of them:
 * it often generalises better than each (Izmailov et al. 2018, "Averaging weights leads to wider
 * optima"; Wortsman et al. 2022, "Model soups"). Models trained from different random
 * initialisations do not share a basin, and their mean is a broken model.
 *
 * <p>Every weight is averaged, the positional convolution's weight-norm g and v each on their
 * own as they are stored (as fairseq's average_checkpoints.py does). The sums are kept in double.
 */
public final class CheckpointAverage {
    private CheckpointAverage() {}

    /** The files of a model folder besides its weights that the average takes from the first model. */
    public static final List<String> SIDECARS = List.of("config.json", "preprocessor_config.json", "vocab.json",
            "tokenizer_config.json", "special_tokens_map.json");

    /**
     * config.json keys that change what the weights compute without changing a tensor's shape
     * (shapes are compared tensor by tensor). Dropout and masking rates are training settings and
     * may differ.
     */
    static final List<String> ARCHITECTURE_KEYS = List.of("model_type", "hidden_act", "feat_extract_activation",
            "feat_extract_norm", "do_stable_layer_norm", "num_attention_heads", "conv_stride", "conv_kernel",
            "num_conv_pos_embedding_groups", "layer_norm_eps", "pad_token_id", "vocab_size");

    /**
     * @param tensors    number of tensors averaged
     * @param parameters number of weights in them
     * @param dtype      how model.safetensors stores them
     * @param distances  per input model, ‖model − mean‖ / ‖mean‖ over all weights: how far apart the models were
     */
    public record Result(int tensors, long parameters, DType dtype, double[] distances) {}

    /**
     * Averages the models in {@code models} (folders or weights files, at least two) into the folder
     * {@code out}: model.safetensors, the first model's config and tokenizer files, and averaged.json.
     *
     * @param dtype F32, F16, or null: F16 when every input stores every tensor as F16, else F32
     */
    public static Result average(List<Path> models, Path out, DType dtype) {
        if (models.size() < 2) throw new UserError("averaging needs at least two models, got " + models.size());
        if (dtype != null && dtype != DType.F32 && dtype != DType.F16) throw new IllegalArgumentException("F32 or F16, not " + dtype);
        if (Files.exists(out) && !Files.isDirectory(out)) throw UserError.inFile(out, "is a file; the average is written to a folder");
        for (Path m : models) {
            if (Files.exists(out) && Files.exists(m) && sameFile(m, out)) {
                throw UserError.inFile(out, "is one of the models being averaged; write the average to a new folder");
            }
        }
        Path first = models.get(0);
        checkSameArchitecture(models);
        checkSameVocabulary(models);

        List<Weights> weights = new ArrayList<>();
        try {
            for (Path m : models) weights.add(Weights.open(m));
            Map<String, long[]> shapes = checkSameTensors(models, weights);
            Map<String, long[]> integers = integerTensors(models, weights);
            boolean allHalf = true;
            for (Weights w : weights) for (String name : w.names()) allHalf &= integers.containsKey(name) || w.info(name).dtype() == DType.F16;
            DType written = dtype != null ? dtype : allHalf ? DType.F16 : DType.F32;

            // ‖model_i − mean‖² and ‖mean‖², summed tensor by tensor as the writer asks for them
            double[] squaredDistance = new double[models.size()];
            double[] squaredMean = new double[1];
            long[] parameters = new long[1];
            SafetensorsWriter.write(out.resolve(Weights.SAFETENSORS), shapes, written, Map.of("averaged_models", String.valueOf(models.size())), name -> {
                // each input's float32 view of this tensor lives only while the tensor is averaged:
                // F16 inputs are converted once here and freed, not kept for the whole run
                try (Arena scratch = Arena.ofConfined()) {
                    List<MemorySegment> xs = new ArrayList<>();
                    for (Weights w : weights) xs.add(w.f32Transient(name, scratch));
                    float[] mean = mean(xs);
                    for (int i = 0; i < xs.size(); i++) {
                        MemorySegment x = xs.get(i);
                        double d = 0;
                        for (int j = 0; j < mean.length; j++) {
                            double e = x.getAtIndex(DType.F32_LE, j) - (double) mean[j];
                            d += e * e;
                        }
                        squaredDistance[i] += d;
                    }
                    for (float v : mean) squaredMean[0] += (double) v * v;
                    parameters[0] += mean.length;
                    return mean;
                }
            }, integers);
            copySidecars(first, out, models);
            double[] distances = new double[models.size()];
            for (int i = 0; i < distances.length; i++) distances[i] = Math.sqrt(squaredDistance[i] / squaredMean[0]);
            return new Result(shapes.size() - integers.size(), parameters[0], written, distances);
        } finally {
            for (Weights w : weights) w.close();
        }
    }

    /** The mean of one tensor over all models (float32 views): sum in double, then divide (x̄ = Σ xᵢ / n). */
    static float[] mean(List<MemorySegment> xs) {
        int numel = (int) (xs.get(0).byteSize() / 4);
        double[] sum = new double[numel];
        for (MemorySegment x : xs) {
            for (int j = 0; j < numel; j++) sum[j] += x.getAtIndex(DType.F32_LE, j);
        }
        float[] mean = new float[numel];
        for (int j = 0; j < numel; j++) mean[j] = (float) (sum[j] / xs.size());
        return mean;
    }

    private static Map<String, long[]> checkSameTensors(List<Path> models, List<Weights> weights) {
        Weights w0 = weights.get(0);
        Map<String, long[]> shapes = new TreeMap<>();
        for (String name : w0.names()) {
            TensorInfo info = w0.info(name);
            if (info.numel() > Integer.MAX_VALUE - 8) throw UserError.inFile(info.file(), "tensor " + name + " is too large to average");
            shapes.put(name, info.shape());
        }
        for (int i = 1; i < weights.size(); i++) {
            Weights w = weights.get(i);
            Set<String> names = w.names();
            for (String name : shapes.keySet()) {
                if (!names.contains(name)) {
                    throw UserError.inFile(models.get(i), "has no tensor " + name + ", which " + models.get(0) + " has: the models differ in shape");
                }
                TensorInfo info = w.info(name);
                if (!java.util.Arrays.equals(info.shape(), shapes.get(name))) {
                    throw UserError.inFile(models.get(i), "tensor " + name + " is " + info.shapeText() + " but "
                            + java.util.Arrays.toString(shapes.get(name)) + " in " + models.get(0) + ": the models differ in shape");
                }
                if (isFloat(info.dtype()) != isFloat(w0.info(name).dtype())) {
                    throw UserError.inFile(info.file(), "tensor " + name + " is " + info.dtype() + " but " + w0.info(name).dtype()
                            + " in " + models.get(0) + ": a weight cannot be averaged with a counter");
                }
            }
            for (String name : names) {
                if (!shapes.containsKey(name)) {
                    throw UserError.inFile(models.get(i), "has a tensor " + name + " that " + models.get(0) + " lacks: the models differ in shape");
                }
            }
        }
        return shapes;
    }

    /**
     * The integer tensors, written as I64 and not averaged. BatchNorm's {@code num_batches_tracked}
     * (the conformer's convolution module) counts the batches its running statistics have seen;
     * PyTorch reads it only in training with {@code momentum=None} (a cumulative mean), and HF's
     * BatchNorm1d keeps the default momentum 0.1, so neither inference nor fine-tuning uses it: the
     * first model's count is kept (models trained for different numbers of steps differ here).
     * Any other integer tensor must be equal in every model, since its meaning is unknown here.
     */
    private static Map<String, long[]> integerTensors(List<Path> models, List<Weights> weights) {
        Map<String, long[]> integers = new TreeMap<>();
        Weights w0 = weights.get(0);
        for (String name : w0.names()) {
            if (isFloat(w0.info(name).dtype())) continue;
            long[] first = exactIntegers(w0, name);
            if (!name.endsWith("num_batches_tracked")) {
                for (int i = 1; i < weights.size(); i++) {
                    if (!java.util.Arrays.equals(first, exactIntegers(weights.get(i), name))) {
                        throw UserError.inFile(weights.get(i).info(name).file(), "integer tensor " + name + " differs from " + models.get(0)
                                + "'s; only floating-point weights can be averaged, integer ones must be equal");
                    }
                }
            }
            integers.put(name, first);
        }
        return integers;
    }

    /** An integer tensor's values, read through the float32 view: exact below 2^24 in magnitude, refused above. */
    private static long[] exactIntegers(Weights w, String name) {
        float[] view = w.floats(name);
        long[] values = new long[view.length];
        for (int j = 0; j < view.length; j++) {
            if (Math.abs(view[j]) >= (1 << 24)) {
                throw UserError.inFile(w.info(name).file(), "integer tensor " + name + " holds " + view[j] + ", beyond 2^24, which the average cannot copy exactly");
            }
            values[j] = (long) view[j];
        }
        return values;
    }

    private static boolean isFloat(DType t) {
        return t == DType.F32 || t == DType.F16 || t == DType.BF16 || t == DType.F64;
    }

    /** Same values of the config keys that change the computation without changing a shape (folders without config.json are skipped). */
    private static void checkSameArchitecture(List<Path> models) {
        Path firstConfig = null;
        JsonNode first = null;
        for (Path m : models) {
            Path config = m.resolve("config.json");
            if (!Files.isDirectory(m) || !Files.isRegularFile(config)) continue;
            JsonNode c = Json.read(config);
            if (first == null) {
                first = c;
                firstConfig = config;
                continue;
            }
            for (String key : ARCHITECTURE_KEYS) {
                JsonNode a = first.get(key), b = c.get(key);
                if (a == null ? b != null : !a.equals(b)) {
                    throw UserError.inFile(config, key + " is " + b + " but " + a + " in " + firstConfig + ": the models compute different things");
                }
            }
        }
    }

    /** A CTC head's rows are letters by vocab.json's ids, so averaging heads of different vocabularies would mix letters. */
    private static void checkSameVocabulary(List<Path> models) {
        Path firstVocab = null;
        JsonNode first = null;
        for (int i = 0; i < models.size(); i++) {
            Path m = models.get(i);
            Path vocab = m.resolve("vocab.json");
            boolean has = Files.isDirectory(m) && Files.isRegularFile(vocab);
            if (i == 0) {
                if (has) {
                    first = Json.read(vocab);
                    firstVocab = vocab;
                }
                continue;
            }
            if (first == null && has) {
                throw UserError.inFile(vocab, "is here but " + models.get(0) + " has no vocab.json: cannot tell whether the CTC heads share letters");
            }
            if (first != null && !has && Files.isDirectory(m)) {
                throw UserError.inFile(m, "has no vocab.json but " + models.get(0) + " has: cannot tell whether the CTC heads share letters");
            }
            if (first != null && has && !first.equals(Json.read(vocab))) {
                throw UserError.inFile(vocab, "maps letters to other ids than " + firstVocab + ": the CTC heads' rows would mix letters");
            }
        }
    }

    /** config.json and the tokenizer files from the first model, and averaged.json saying what was averaged. */
    private static void copySidecars(Path first, Path folder, List<Path> models) {
        if (Files.isDirectory(first)) {
            for (String name : SIDECARS) {
                Path from = first.resolve(name);
                if (!Files.isRegularFile(from)) continue;
                try {
                    AtomicFiles.writeBytes(folder.resolve(name), Files.readAllBytes(from));
                } catch (IOException e) {
                    throw UserError.inFile(from, "cannot read: " + e.getMessage());
                }
            }
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("tool", "wavlens average");
        record.put("method", "element-wise mean of every weight, in double, of the models in order");
        List<String> paths = new ArrayList<>();
        for (Path m : models) paths.add(m.toString());
        record.put("models", paths);
        record.put("sidecars_from", first.toString());
        Json.write(folder.resolve("averaged.json"), record);
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
