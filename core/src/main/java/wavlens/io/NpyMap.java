package wavlens.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A 2-D little-endian float32 C-order .npy file memory-mapped, not copied: the data segment is the
 * file's own pages, so a 300 MB matrix costs no heap and is read once, straight into the kernel that
 * streams over it. Other dtypes and layouts return null from {@link #floats2d} (callers fall back to
 * {@link Npy#read}).
 *
 * @param rows  n
 * @param cols  p
 * @param data  n·p float32 values, row-major, little-endian; valid until the arena closes
 */
public record NpyMap(int rows, int cols, MemorySegment data) {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,?\\s*\\)");

    /** The mapped matrix, or null when the file is not a 2-D '<f4' C-order array (read it with Npy.read then). */
    public static NpyMap floats2d(Path file, Arena arena) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            while (prefix.hasRemaining() && ch.read(prefix) >= 0) { }
            byte[] p = prefix.array();
            if (prefix.position() < 10 || p[0] != (byte) 0x93 || p[1] != 'N' || p[2] != 'U' || p[3] != 'M' || p[4] != 'P' || p[5] != 'Y') {
                throw UserError.inFile(file, "not a NumPy .npy file (bad magic)");
            }
            int major = p[6];
            long headerStart = major == 1 ? 10 : 12;
            long headerLen = major == 1 ? Short.toUnsignedInt(prefix.getShort(8)) : Integer.toUnsignedLong(prefix.getInt(8));
            if (major < 1 || major > 3 || headerStart + headerLen > size) return null; // let Npy.read say what is wrong
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLen);
            ch.position(headerStart);
            while (headerBytes.hasRemaining() && ch.read(headerBytes) >= 0) { }
            String header = new String(headerBytes.array(), StandardCharsets.ISO_8859_1);
            Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
            if (!d.find() || !f.find() || !s.find()) return null;
            if (!d.group(1).equals("<f4") || f.group(1).equals("True")) return null;
            long rows = Long.parseLong(s.group(1)), cols = Long.parseLong(s.group(2));
            long dataStart = headerStart + headerLen;
            if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) throw UserError.inFile(file, "array too large (" + rows + " × " + cols + ")");
            if (dataStart + rows * cols * 4 > size) {
                throw UserError.inFile(file, "truncated: header says " + rows + " × " + cols + " × <f4 but the file is too short");
            }
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, dataStart, rows * cols * 4, arena);
            return new NpyMap((int) rows, (int) cols, data);
        } catch (NoSuchFileException e) {
            throw UserError.inFile(file, "no such file");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
    }
}
