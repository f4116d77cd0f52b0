package wavlens.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;

/** What a checkpoint says about one tensor: its name, stored element type, shape and file. */
public record TensorInfo(String name, DType dtype, long[] shape, Path file) {
    /** Number of elements: the product of the shape (1 for a 0-d tensor). */
    public long numel() {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    /** The shape as "[32, 48]". */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + shapeText() + " in " + file;
    }
}
