package wavlens.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's .npy format, version 1.0 (and reading 2.0/3.0): a magic string, a Python-dict header
 * ({'descr': '<f4', 'fortran_order': False, 'shape': (n, d), }) padded so the data starts at a
 * multiple of 64 bytes, then the raw little-endian C-order data.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
public final class Npy {
    private Npy() {}

    /** An array read from a .npy file: its shape, its dtype code and its values. */
    public record Array(int[] shape, String dtype, float[] floats, double[] doubles, int[] ints, long[] longs, boolean[] bools) {
        public long size() {
            long n = 1;
            for (int s : shape) n *= s;
            return n;
        }

        public int rows() {
            return shape.length == 0 ? 1 : shape[0];
        }

        /** Columns of a 2-D array (1 for a 1-D array). */
        public int cols() {
            if (shape.length == 1) return 1;
            long c = size() / Math.max(1, shape[0]);
            return (int) c;
        }

        /** Values as float32, converting from any numeric dtype. */
        public float[] asFloats() {
            if (floats != null) return floats;
            int n = (int) size();
            float[] out = new float[n];
            for (int i = 0; i < n; i++) out[i] = (float) valueAt(i);
            return out;
        }

        /** Values as float64, converting from any numeric dtype. */
        public double[] asDoubles() {
            if (doubles != null) return doubles;
            int n = (int) size();
            double[] out = new double[n];
            for (int i = 0; i < n; i++) out[i] = valueAt(i);
            return out;
        }

        /** Values as int, for integer (or boolean) arrays; refuses floats that are not whole numbers. */
        public long[] asLongs() {
            if (longs != null) return longs;
            int n = (int) size();
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                double v = valueAt(i);
                if (ints == null && bools == null && v != Math.rint(v)) {
                    throw new UserError("expected integer values, found " + v + " at index " + i);
                }
                out[i] = ints != null ? ints[i] : (long) v;
            }
            return out;
        }

        private double valueAt(int i) {
            if (floats != null) return floats[i];
            if (doubles != null) return doubles[i];
            if (ints != null) return ints[i];
            if (longs != null) return longs[i];
            return bools[i] ? 1 : 0;
        }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /**
     * Reads a .npy file. The data are streamed from the file into the result array in blocks,
     * so reading an n-byte array needs n bytes of memory, not 2n.
     */
    public static Array read(Path file) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            return read(ch, ch.size());
        } catch (NoSuchFileException e) {
            throw UserError.inFile(file, "no such file");
        } catch (UserError e) {
            throw UserError.inFile(file, e.getMessage());
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
    }

    static Array parse(byte[] bytes) throws IOException {
        return read(new java.nio.channels.SeekableByteChannel() {
            long pos;
            public int read(ByteBuffer dst) {
                if (pos >= bytes.length) return -1;
                int n = (int) Math.min(dst.remaining(), bytes.length - pos);
                dst.put(bytes, (int) pos, n);
                pos += n;
                return n;
            }
            public int write(ByteBuffer src) { throw new UnsupportedOperationException("read-only"); }
            public long position() { return pos; }
            public java.nio.channels.SeekableByteChannel position(long p) { pos = p; return this; }
            public long size() { return bytes.length; }
            public java.nio.channels.SeekableByteChannel truncate(long size) { throw new UnsupportedOperationException("read-only"); }
            public boolean isOpen() { return true; }
            public void close() {}
        }, bytes.length);
    }

    /** Fills buf from the channel (as far as it goes); returns the bytes read. */
    private static int fill(java.nio.channels.ReadableByteChannel ch, ByteBuffer buf) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) break;
            total += n;
        }
        return total;
    }

    private static Array read(java.nio.channels.ReadableByteChannel ch, long fileSize) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        int got = fill(ch, prefix);
        byte[] p = prefix.array();
        if (got < 10 || !Arrays.equals(Arrays.copyOf(p, 6), MAGIC)) {
            throw new UserError("not a NumPy .npy file (bad magic)");
        }
        int major = p[6];
        int headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(prefix.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (got < 12) throw new UserError("truncated .npy header");
            headerLen = prefix.getInt(8);
            headerStart = 12;
        } else {
            throw new UserError("unsupported .npy version " + major);
        }
        if (headerLen < 0 || headerStart + (long) headerLen > fileSize) throw new UserError("truncated .npy header");
        byte[] headerBytes = new byte[headerLen];
        int already = got - headerStart;   // bytes of the header already in the prefix (v1: 2 of them)
        System.arraycopy(p, headerStart, headerBytes, 0, Math.min(already, headerLen));
        if (already < headerLen) fill(ch, ByteBuffer.wrap(headerBytes, already, headerLen - already));
        byte[] leftover = already > headerLen ? Arrays.copyOfRange(p, headerStart + headerLen, got) : new byte[0];
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) throw new UserError("malformed .npy header: " + header.strip());
        String descr = d.group(1);
        boolean fortran = f.group(1).equals("True");
        List<Integer> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) dims.add(Integer.parseInt(part.strip()));
        }
        int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
        if (fortran && shape.length > 1) throw new UserError("Fortran-order arrays are not supported; save with C order");
        long count = 1;
        for (int dim : shape) count *= dim;
        if (count > Integer.MAX_VALUE) throw new UserError("array too large (" + count + " elements)");
        int n = (int) count;
        ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String code = descr.replaceFirst("^[<>|=]", "");
        int itemSize = switch (code) {
            case "f4", "i4", "u4" -> 4;
            case "f8", "i8", "u8" -> 8;
            case "f2", "i2", "u2" -> 2;
            case "i1", "u1", "b1" -> 1;
            default -> throw new UserError("unsupported dtype '" + descr + "'");
        };
        long dataStart = headerStart + (long) headerLen;
        if (dataStart + (long) n * itemSize > fileSize) {
            throw new UserError("truncated: header says " + n + " × " + descr + " but the file is too short");
        }
        float[] fl = null;
        double[] db = null;
        int[] in = null;
        long[] lo = null;
        boolean[] bo = null;
        switch (code) {
            case "f4", "f2" -> fl = new float[n];
            case "f8" -> db = new double[n];
            case "i4", "i2", "u2", "i1", "u1" -> in = new int[n];
            case "u4", "i8", "u8" -> lo = new long[n];
            case "b1" -> bo = new boolean[n];
            default -> throw new AssertionError(code);
        }
        // stream the data in blocks of whole items
        int block = Math.max(itemSize, (1 << 20) / itemSize * itemSize);
        ByteBuffer buf = ByteBuffer.allocate(block).order(order);
        buf.put(leftover);
        int done = 0;
        while (done < n) {
            int want = (int) Math.min((long) (n - done) * itemSize, block);
            buf.limit(want);
            if (buf.position() < want) fill(ch, buf);
            if (buf.position() < want) throw new UserError("truncated: the data end early");
            buf.flip();
            int items = want / itemSize;
            switch (code) {
                case "f4" -> buf.asFloatBuffer().get(fl, done, items);
                case "f8" -> buf.asDoubleBuffer().get(db, done, items);
                case "i4" -> buf.asIntBuffer().get(in, done, items);
                case "i8", "u8" -> buf.asLongBuffer().get(lo, done, items);
                case "f2" -> { for (int i = 0; i < items; i++) fl[done + i] = Float.float16ToFloat(buf.getShort(2 * i)); }
                case "u4" -> { for (int i = 0; i < items; i++) lo[done + i] = Integer.toUnsignedLong(buf.getInt(4 * i)); }
                case "i2" -> { for (int i = 0; i < items; i++) in[done + i] = buf.getShort(2 * i); }
                case "u2" -> { for (int i = 0; i < items; i++) in[done + i] = Short.toUnsignedInt(buf.getShort(2 * i)); }
                case "i1" -> { for (int i = 0; i < items; i++) in[done + i] = buf.get(i); }
                case "u1" -> { for (int i = 0; i < items; i++) in[done + i] = Byte.toUnsignedInt(buf.get(i)); }
                case "b1" -> { for (int i = 0; i < items; i++) bo[done + i] = buf.get(i) != 0; }
                default -> throw new AssertionError(code);
            }
            done += items;
            buf.clear();
        }
        return new Array(shape, descr, fl, db, in, lo, bo);
    }

    // ---------------------------------------------------------------- row ranges

    /** What a .npy header says: dtype (e.g. "<f4"), shape, and where the data start in the file. */
    public record Header(String dtype, int[] shape, long dataOffset) {
        public int rows() {
            return shape.length == 0 ? 1 : shape[0];
        }

        /** Values per row (1 for a 1-D array). */
        public int cols() {
            int c = 1;
            for (int i = 1; i < shape.length; i++) c *= shape[i];
            return c;
        }
    }

    /** Reads only the header (the data are not touched), for readers of row ranges. */
    public static Header header(Path file) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            int got = fill(ch, prefix);
            byte[] p = prefix.array();
            if (got < 10 || !Arrays.equals(Arrays.copyOf(p, 6), MAGIC)) throw UserError.inFile(file, "not a NumPy .npy file (bad magic)");
            int major = p[6];
            int headerStart = major == 1 ? 10 : 12;
            if (major < 1 || major > 3) throw UserError.inFile(file, "unsupported .npy version " + major);
            long headerLen = major == 1 ? Short.toUnsignedInt(prefix.getShort(8)) : Integer.toUnsignedLong(prefix.getInt(8));
            if (headerStart + headerLen > ch.size()) throw UserError.inFile(file, "truncated .npy header");
            ByteBuffer h = ByteBuffer.allocate((int) headerLen);
            ch.position(headerStart);
            fill(ch, h);
            String text = new String(h.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Matcher d = DESCR.matcher(text), f = FORTRAN.matcher(text), s = SHAPE.matcher(text);
            if (!d.find() || !f.find() || !s.find()) throw UserError.inFile(file, "malformed .npy header: " + text.strip());
            List<Integer> dims = new ArrayList<>();
            for (String part : s.group(1).split(",")) if (!part.isBlank()) dims.add(Integer.parseInt(part.strip()));
            int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
            if (f.group(1).equals("True") && shape.length > 1) throw UserError.inFile(file, "Fortran-order arrays are not supported; save with C order");
            return new Header(d.group(1), shape, headerStart + headerLen);
        } catch (NoSuchFileException e) {
            throw UserError.inFile(file, "no such file");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
    }

    /**
     * Rows [start, start + count) of a float32, float16 or float64 .npy matrix as float32, read
     * through a memory map of just that range (a Spark partition of a layer that does not fit one
     * machine reads only its rows).
     */
    public static float[] readRows(Path file, long start, int count) {
        Header h = header(file);
        int cols = h.cols();
        if (start < 0 || count < 0 || start + count > h.rows()) {
            throw UserError.inFile(file, "rows " + start + ".." + (start + count) + " are outside its " + h.rows() + " rows");
        }
        String code = h.dtype().replaceFirst("^[<>|=]", "");
        int itemSize = switch (code) {
            case "f4" -> 4;
            case "f2" -> 2;
            case "f8" -> 8;
            default -> throw UserError.inFile(file, "expected a float matrix, got dtype '" + h.dtype() + "'");
        };
        long values = (long) count * cols;
        if (values > Integer.MAX_VALUE) throw UserError.inFile(file, "a range of " + values + " values is too large for one array");
        float[] out = new float[(int) values];
        ByteOrder order = h.dtype().startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        long rowBytes = (long) cols * itemSize;
        // One map per block of rows: a mapped buffer holds at most 2 GiB.
        long rowsPerMap = Math.max(1, (1L << 30) / Math.max(1, rowBytes));
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            if (h.dataOffset() + (start + count) * rowBytes > ch.size()) throw UserError.inFile(file, "truncated: the data end early");
            for (long r = 0; r < count; r += rowsPerMap) {
                int rows = (int) Math.min(rowsPerMap, count - r);
                ByteBuffer b = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, h.dataOffset() + (start + r) * rowBytes, rows * rowBytes).order(order);
                int at = (int) (r * cols), n = rows * cols;
                switch (code) {
                    case "f4" -> b.asFloatBuffer().get(out, at, n);
                    case "f2" -> { for (int i = 0; i < n; i++) out[at + i] = Float.float16ToFloat(b.getShort(2 * i)); }
                    default -> { for (int i = 0; i < n; i++) out[at + i] = (float) b.getDouble(8 * i); }
                }
            }
        } catch (NoSuchFileException e) {
            throw UserError.inFile(file, "no such file");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
        return out;
    }

    /** Entries [start, start + count) of a 1-D integer .npy (cluster ids), through a memory map of that range. */
    public static long[] readLongs(Path file, long start, int count) {
        Header h = header(file);
        if (h.shape().length != 1) throw UserError.inFile(file, "expected a 1-D array of ids, got shape " + Arrays.toString(h.shape()));
        if (start < 0 || count < 0 || start + count > h.rows()) {
            throw UserError.inFile(file, "entries " + start + ".." + (start + count) + " are outside its " + h.rows() + " entries");
        }
        String code = h.dtype().replaceFirst("^[<>|=]", "");
        int itemSize = switch (code) {
            case "i1", "u1" -> 1;
            case "i2", "u2" -> 2;
            case "i4", "u4" -> 4;
            case "i8", "u8" -> 8;
            default -> throw UserError.inFile(file, "expected integer cluster ids, got dtype '" + h.dtype() + "'");
        };
        ByteOrder order = h.dtype().startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        long[] out = new long[count];
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            if (h.dataOffset() + (start + count) * itemSize > ch.size()) throw UserError.inFile(file, "truncated: the data end early");
            if (count == 0) return out;
            ByteBuffer b = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, h.dataOffset() + start * itemSize, (long) count * itemSize).order(order);
            for (int i = 0; i < count; i++) {
                out[i] = switch (code) {
                    case "i1" -> b.get(i);
                    case "u1" -> Byte.toUnsignedInt(b.get(i));
                    case "i2" -> b.getShort(2 * i);
                    case "u2" -> Short.toUnsignedInt(b.getShort(2 * i));
                    case "i4" -> b.getInt(4 * i);
                    case "u4" -> Integer.toUnsignedLong(b.getInt(4 * i));
                    default -> b.getLong(8 * i);
                };
            }
        } catch (NoSuchFileException e) {
            throw UserError.inFile(file, "no such file");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
        return out;
    }

    // ---------------------------------------------------------------- writing

    public static void writeFloats(Path file, float[] data, int... shape) {
        checkShape(data.length, shape);
        AtomicFiles.write(file, out -> {
            writeHeader(out, "<f4", shape);
            ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : data) {
                if (!b.hasRemaining()) { out.write(b.array(), 0, b.position()); b.clear(); }
                b.putFloat(v);
            }
            out.write(b.array(), 0, b.position());
        });
    }

    public static void writeHalfs(Path file, float[] data, int... shape) {
        checkShape(data.length, shape);
        AtomicFiles.write(file, out -> {
            writeHeader(out, "<f2", shape);
            ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : data) {
                if (!b.hasRemaining()) { out.write(b.array(), 0, b.position()); b.clear(); }
                b.putShort(Float.floatToFloat16(v));
            }
            out.write(b.array(), 0, b.position());
        });
    }

    public static void writeDoubles(Path file, double[] data, int... shape) {
        checkShape(data.length, shape);
        AtomicFiles.write(file, out -> {
            writeHeader(out, "<f8", shape);
            ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (double v : data) {
                if (!b.hasRemaining()) { out.write(b.array(), 0, b.position()); b.clear(); }
                b.putDouble(v);
            }
            out.write(b.array(), 0, b.position());
        });
    }

    public static void writeInts(Path file, int[] data, int... shape) {
        checkShape(data.length, shape);
        AtomicFiles.write(file, out -> {
            writeHeader(out, "<i4", shape);
            ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : data) {
                if (!b.hasRemaining()) { out.write(b.array(), 0, b.position()); b.clear(); }
                b.putInt(v);
            }
            out.write(b.array(), 0, b.position());
        });
    }

    private static void checkShape(int length, int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        if (n != length) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + length + " values");
    }

    /** Header padded with spaces and a newline so that magic + length + header is a multiple of 64. */
    static void writeHeader(OutputStream out, String descr, int[] shape) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (int s : shape) dims.append(s).append(", ");
        String shapeText = shape.length == 1 ? shape[0] + "," : dims.length() == 0 ? "" : dims.substring(0, dims.length() - 2);
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shapeText + "), }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        out.write(MAGIC);
        out.write(1);
        out.write(0);
        int len = header.length();
        out.write(len & 0xff);
        out.write((len >> 8) & 0xff);
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Writes a 2-D float32 or float16 .npy row block by row block, for arrays assembled from
     * many parts (feature stores) without holding them in memory. The row count is fixed up
     * front; the file appears under its name only after {@link #close()} with every row written.
     */
    public static final class RowWriter implements AutoCloseable {
        private final Path target, tmp;
        private final java.io.OutputStream out;
        private final boolean half;
        private final long expected;
        private long written;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        public RowWriter(Path target, int rows, int cols, boolean half) {
            this.target = target;
            this.half = half;
            this.expected = (long) rows * cols;
            try {
                Path dir = target.toAbsolutePath().getParent();
                Files.createDirectories(dir);
                tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
                out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                writeHeader(out, half ? "<f2" : "<f4", new int[] {rows, cols});
            } catch (IOException e) {
                throw UserError.inFile(target, "cannot write: " + e.getMessage());
            }
        }

        public void write(float[] data, int offset, int length) {
            try {
                for (int i = offset; i < offset + length; i++) {
                    if (buf.remaining() < 4) flushBuffer();
                    if (half) buf.putShort(Float.floatToFloat16(data[i]));
                    else buf.putFloat(data[i]);
                }
                written += length;
            } catch (IOException e) {
                throw UserError.inFile(target, "cannot write: " + e.getMessage());
            }
        }

        private void flushBuffer() throws IOException {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        }

        @Override
        public void close() {
            try {
                flushBuffer();
                out.close();
                if (written != expected) {
                    Files.deleteIfExists(tmp);
                    throw new IllegalStateException(target + ": wrote " + written + " values, header promised " + expected);
                }
                Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw UserError.inFile(target, "cannot write: " + e.getMessage());
            }
        }
    }
}
