package wavlens.train;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import wavlens.checkpoint.DType;
import wavlens.checkpoint.SafetensorsWriter;

/**
 * A model's tensors for training, by HuggingFace state-dict key ("wav2vec2.encoder.layers.0…",
 * "lm_head.weight", "quantizer.codevectors"), as float32 heap arrays with a gradient array of
 * the same layout. Order of insertion is kept (it is the order the optimizer walks).
 */
public final class Params {

    /** One tensor: its values, its gradient (same length, row-major as the shape says). */
    public static final class Tensor {
        public final String name;
        public final int[] shape;
        public final float[] value;
        public final float[] grad;
        /** False for frozen tensors: no gradient is computed and the optimizer leaves them alone. */
        public boolean trainable = true;
        /** Whether AdamW's weight decay applies (not to biases, norms, codevectors, embeddings). */
        public boolean decay;

        Tensor(String name, float[] value, int[] shape) {
            this.name = name;
            this.shape = shape;
            this.value = value;
            this.grad = new float[value.length];
        }

        public int size() {
            return value.length;
        }

        public long[] longShape() {
            long[] s = new long[shape.length];
            for (int i = 0; i < s.length; i++) s[i] = shape[i];
            return s;
        }
    }

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    /** Adds a tensor (its values are taken, not copied); weight decay on for matrices (rank ≥ 2). */
    public Tensor add(String name, float[] value, int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n != value.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " has " + n + " elements, " + value.length + " given");
        }
        if (tensors.containsKey(name)) throw new IllegalArgumentException("tensor " + name + " added twice");
        Tensor t = new Tensor(name, value, shape.clone());
        t.decay = shape.length >= 2;
        tensors.put(name, t);
        return t;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor " + name);
        return t;
    }

    /** Every tensor in insertion order. */
    public Collection<Tensor> all() {
        return Collections.unmodifiableCollection(tensors.values());
    }

    /** Total number of values (trainable or not). */
    public long count() {
        long n = 0;
        for (Tensor t : tensors.values()) n += t.size();
        return n;
    }

    public void zeroGrad() {
        for (Tensor t : tensors.values()) Arrays.fill(t.grad, 0f);
    }

    /** Marks every tensor whose name starts with the prefix as frozen (or trainable again). */
    public void setTrainable(String prefix, boolean trainable) {
        for (Tensor t : tensors.values()) if (t.name.startsWith(prefix)) t.trainable = trainable;
    }

    /** ‖g‖₂ over the gradients of all trainable tensors (double accumulation). */
    public double gradNorm() {
        double s = 0;
        for (Tensor t : tensors.values()) {
            if (!t.trainable) continue;
            for (float g : t.grad) s += (double) g * g;
        }
        return Math.sqrt(s);
    }

    /** Writes the values as a safetensors file (F32 or F16), atomically. */
    public void save(Path file, DType dtype, Map<String, String> metadata) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Tensor t : tensors.values()) shapes.put(t.name, t.longShape());
        SafetensorsWriter.write(file, shapes, dtype, metadata, name -> tensors.get(name).value);
    }
}
