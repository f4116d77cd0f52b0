package wavlens.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import wavlens.checkpoint.TorchPickle.Storage;
import wavlens.checkpoint.TorchPickle.StoredTensor;
import wavlens.io.UserError;

/**
 * pytorch_model.bin files written by torch.save (PyTorch >= 1.6): a zip archive holding
 * {@code <dir>/data.pkl} (the pickled state dict, see {@link TorchPickle}),
 * {@code <dir>/data/<key>} (the raw little-endian bytes of each storage) and {@code <dir>/version};
 * {@code <dir>} is any folder name. Opening reads only data.pkl; a storage is read from the zip the
 * first time one of its tensors is asked for.
 */
final class TorchWeights extends WeightsBase {
    static final String LEGACY_FORMAT = "legacy torch.save format (PyTorch < 1.6) is not supported; "
            + "re-save with a current PyTorch or convert to safetensors";

    /** One opened archive: the zip, its folder prefix and its tensors. */
    private record Archive(Path file, ZipFile zip, String prefix, Map<String, StoredTensor> tensors) {}

    private final List<Archive> archives = new ArrayList<>();
    private final Map<String, Archive> archiveOf = new HashMap<>();
    /** float32 storages stay loaded: tensors that are contiguous views of them are handed out as slices. */
    private final Map<String, MemorySegment> float32Storages = new HashMap<>();

    private TorchWeights(Path source) {
        super(source);
    }

    static TorchWeights open(Path file) {
        TorchWeights weights = new TorchWeights(file);
        try {
            Archive archive = weights.openArchive(file);
            for (String name : archive.tensors().keySet()) weights.add(name, archive);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
        return weights;
    }

    /** pytorch_model.bin.index.json: "weight_map" tensor name → shard file, the shards beside the index. */
    static TorchWeights openSharded(Path index) {
        Map<String, Path> shardOf = SafetensorsWeights.readWeightMap(index);
        TorchWeights weights = new TorchWeights(index);
        try {
            Map<Path, Archive> opened = new HashMap<>();
            for (Map.Entry<String, Path> e : shardOf.entrySet()) {
                Path shard = e.getValue();
                if (!opened.containsKey(shard)) opened.put(shard, weights.openArchive(shard));
                Archive archive = opened.get(shard);
                if (!archive.tensors().containsKey(e.getKey())) {
                    throw UserError.inFile(shard, "no tensor named " + e.getKey() + " (the index " + index.getFileName() + " puts it here)");
                }
                weights.add(e.getKey(), archive);
            }
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
        return weights;
    }

    private void add(String name, Archive archive) {
        StoredTensor t = archive.tensors().get(name);
        addTensor(new TensorInfo(name, t.storage().dtype(), t.size(), archive.file()));
        archiveOf.put(name, archive);
    }

    private Archive openArchive(Path file) {
        checkIsZip(file);
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw UserError.inFile(file, "corrupt zip archive (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
        try {
            ZipEntry pickle = findDataPkl(zip);
            if (pickle == null) throw UserError.inFile(file, "zip archive without data.pkl (not written by torch.save)");
            String prefix = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
            ZipEntry byteOrder = zip.getEntry(prefix + "byteorder");
            if (byteOrder != null) {
                String order = new String(readAll(zip, byteOrder, file), StandardCharsets.US_ASCII).trim();
                if (!order.equals("little")) throw UserError.inFile(file, "storages are " + order + "-endian; only little-endian is supported");
            }
            Map<String, StoredTensor> tensors = TorchPickle.readStateDict(readAll(zip, pickle, file), file);
            Archive archive = new Archive(file, zip, prefix, tensors);
            archives.add(archive);
            return archive;
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    /**
     * torch.save since PyTorch 1.6 writes a zip ("PK\3\4"). Older versions wrote a bare pickle
     * stream (starts with the PROTO opcode 0x80) or, older still, a tar archive ("ustar" at byte 257).
     */
    private static void checkIsZip(Path file) {
        byte[] head = new byte[262];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw UserError.inFile(file, "no such file");
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return;
        boolean tar = n >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        if ((n >= 2 && (head[0] & 0xFF) == 0x80) || tar) throw UserError.inFile(file, LEGACY_FORMAT);
        throw UserError.inFile(file, n == 0 ? "empty file" : "not a PyTorch checkpoint (not a zip archive written by torch.save)");
    }

    /** The archive's data.pkl: "data.pkl" directly in the one top-level folder. */
    private static ZipEntry findDataPkl(ZipFile zip) {
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            ZipEntry e = en.nextElement();
            String name = e.getName();
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) return e;
        }
        return null;
    }

    private static byte[] readAll(ZipFile zip, ZipEntry entry, Path file) {
        if (entry.getSize() > Integer.MAX_VALUE - 8) throw UserError.inFile(file, entry.getName() + " is too large");
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw UserError.inFile(file, "corrupt zip entry " + entry.getName() + " (" + e.getMessage() + ")");
        }
    }

    /**
     * Streams the zip entry {@code <dir>/data/<key>} into off-heap memory in 1 MB chunks (entries
     * are normally stored uncompressed, so this is a plain file read) and checks its size against
     * the storage's element count.
     */
    private static MemorySegment readStorage(Archive archive, Storage storage, Arena into) {
        String entryName = archive.prefix() + "data/" + storage.key();
        ZipEntry entry = archive.zip().getEntry(entryName);
        if (entry == null) throw UserError.inFile(archive.file(), "missing storage " + entryName);
        long expected = storage.numel() * storage.dtype().bytes();
        if (entry.getSize() != expected) {
            throw UserError.inFile(archive.file(), "storage " + entryName + " has " + entry.getSize() + " bytes, but "
                    + storage.numel() + " " + storage.dtype() + " elements need " + expected);
        }
        MemorySegment out = into.allocate(expected, 64);
        byte[] chunk = new byte[(int) Math.min(1 << 20, Math.max(expected, 1))];
        long at = 0;
        try (InputStream in = archive.zip().getInputStream(entry)) {
            int n;
            while (at < expected && (n = in.read(chunk, 0, (int) Math.min(chunk.length, expected - at))) > 0) {
                MemorySegment.copy(chunk, 0, out, ValueLayout.JAVA_BYTE, at, n);
                at += n;
            }
        } catch (IOException e) {
            throw UserError.inFile(archive.file(), "corrupt zip entry " + entryName + " (" + e.getMessage() + ")");
        }
        if (at != expected) throw UserError.inFile(archive.file(), "storage " + entryName + " ends after " + at + " of " + expected + " bytes");
        return out;
    }

    @Override
    protected MemorySegment loadFloat32(TensorInfo info, Arena into) {
        Archive archive = archiveOf.get(info.name());
        StoredTensor t = archive.tensors().get(info.name());
        Storage storage = t.storage();
        long numel = info.numel();
        if (numel == 0) return into.allocate(0);
        if (storage.dtype() == DType.F32) {
            // a storage read for the cache stays until close; one read for the caller's arena goes with it
            String key = archive.file() + "\0" + storage.key();
            MemorySegment bytes = into == arena ? float32Storages.computeIfAbsent(key, k -> readStorage(archive, storage, arena))
                    : float32Storages.containsKey(key) ? float32Storages.get(key) : readStorage(archive, storage, into);
            if (isContiguous(t.size(), t.stride())) return bytes.asSlice(4 * t.offset(), 4 * numel);
            MemorySegment out = into.allocate(4 * numel, 64);
            toFloat32(bytes, DType.F32, t.offset(), t.size(), t.stride(), out);
            return out;
        }
        // Other dtypes: read the storage into scratch memory, convert, and let the scratch go.
        MemorySegment out = into.allocate(4 * numel, 64);
        try (Arena scratch = Arena.ofConfined()) {
            toFloat32(readStorage(archive, storage, scratch), storage.dtype(), t.offset(), t.size(), t.stride(), out);
        }
        return out;
    }

    /** C order: each dimension's stride is the product of the later sizes (a size-1 dimension's stride never matters). */
    private static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) return false;
            expected *= size[d];
        }
        return true;
    }

    @Override
    protected void closeFiles() {
        for (Archive a : archives) closeQuietly(a.zip());
        archives.clear();
        float32Storages.clear();
    }

    private static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException ignored) {
            // closing a read-only zip cannot lose data
        }
    }
}
