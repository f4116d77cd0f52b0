package wavlens.checkpoint;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wavlens.io.UserError;

/**
 * A restricted pickle machine for the data.pkl of a torch.save archive: it runs the opcodes of
 * pickle protocols 2 to 5 (https://docs.python.org/3/library/pickletools.html, CPython's
 * Lib/pickletools.py documents each one) but the only callables it knows are the few that rebuild
 * a state dict — collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_tensor /
 * _rebuild_parameter and the torch.*Storage classes. Any other global is refused, so loading a
 * checkpoint can never run code, unlike Python's pickle.load.
 *
 * <p>Python values become: int → Long, float → Double, str → String, bytes → byte[], bool →
 * Boolean, None → null, tuple → fixed-size List, list → ArrayList, dict and OrderedDict →
 * LinkedHashMap, set → LinkedHashSet, a storage → {@link Storage}, a tensor → {@link StoredTensor}.
 */
final class TorchPickle {
    /** A storage named by a persistent id ('storage', torch.FloatStorage, key, location, numel): bytes are in the zip entry data/key. */
    record Storage(DType dtype, String key, long numel) {}

    /** A tensor as torch stores it: element (i_0..i_r) is storage element offset + sum i_d * stride[d]. */
    record StoredTensor(Storage storage, long offset, long[] size, long[] stride) {}

    /** A module.name reference pushed by GLOBAL / STACK_GLOBAL. */
    private record Global(String module, String name) {
        String dotted() {
            return module + "." + name;
        }
    }

    /** Pushed by MARK; TUPLE, LIST, DICT, SETITEMS, APPENDS ... pop everything above the latest mark. */
    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final ByteBuffer in;
    private final Path file;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private TorchPickle(byte[] pickle, Path file) {
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.file = file;
    }

    /** Runs data.pkl and returns its state dict: tensor name → tensor, in file order. */
    static Map<String, StoredTensor> readStateDict(byte[] pickle, Path file) {
        Object top = new TorchPickle(pickle, file).run();
        if (!(top instanceof Map<?, ?> dict)) throw UserError.inFile(file, "data.pkl holds " + describe(top) + ", not a state dict");
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof StoredTensor tensor)) {
                throw UserError.inFile(file, "data.pkl is not a state dict of name → tensor (entry " + e.getKey() + " is " + describe(e.getValue()) + ")");
            }
            tensors.put(name, tensor);
        }
        return tensors;
    }

    private UserError error(String problem) {
        return UserError.inFile(file, "data.pkl: " + problem);
    }

    private Object run() {
        try {
            while (true) {
                int op = in.get() & 0xFF;
                switch (op) {
                    case 0x80 -> { // PROTO n
                        int protocol = in.get() & 0xFF;
                        if (protocol < 2 || protocol > 5) throw error("pickle protocol " + protocol + " is not supported");
                    }
                    case 0x95 -> in.getLong(); // FRAME length: framing only helps streaming readers
                    case '.' -> { // STOP
                        return pop();
                    }
                    case '(' -> stack.add(MARK);
                    case ')' -> stack.add(Arrays.asList());
                    case ']' -> stack.add(new ArrayList<>());
                    case '}' -> stack.add(new LinkedHashMap<>());
                    case 0x8f -> stack.add(new LinkedHashSet<>()); // EMPTY_SET
                    case 't' -> stack.add(Arrays.asList(popMark().toArray()));
                    case 0x85 -> stack.add(Arrays.asList(pop()));
                    case 0x86 -> {
                        Object b = pop(), a = pop();
                        stack.add(Arrays.asList(a, b));
                    }
                    case 0x87 -> {
                        Object c = pop(), b = pop(), a = pop();
                        stack.add(Arrays.asList(a, b, c));
                    }
                    case 'l' -> stack.add(new ArrayList<>(popMark()));
                    case 'd' -> {
                        List<Object> items = popMark();
                        Map<Object, Object> dict = new LinkedHashMap<>();
                        for (int i = 0; i + 1 < items.size(); i += 2) dict.put(items.get(i), items.get(i + 1));
                        stack.add(dict);
                    }
                    case 0x91 -> stack.add(new LinkedHashSet<>(popMark())); // FROZENSET
                    case 'X' -> stack.add(utf8(in.getInt() & 0xFFFFFFFFL)); // BINUNICODE
                    case 0x8c -> stack.add(utf8(in.get() & 0xFF)); // SHORT_BINUNICODE
                    case 0x8d -> stack.add(utf8(in.getLong())); // BINUNICODE8
                    case 'B' -> stack.add(bytes(in.getInt() & 0xFFFFFFFFL)); // BINBYTES
                    case 'C' -> stack.add(bytes(in.get() & 0xFF)); // SHORT_BINBYTES
                    case 0x8e, 0x96 -> stack.add(bytes(in.getLong())); // BINBYTES8, BYTEARRAY8
                    case 'T' -> stack.add(latin1(in.getInt() & 0xFFFFFFFFL)); // BINSTRING (Python 2 str)
                    case 'U' -> stack.add(latin1(in.get() & 0xFF)); // SHORT_BINSTRING
                    case 'J' -> stack.add((long) in.getInt()); // BININT: signed 4 bytes
                    case 'K' -> stack.add((long) (in.get() & 0xFF)); // BININT1: unsigned 1 byte
                    case 'M' -> stack.add((long) (in.getShort() & 0xFFFF)); // BININT2: unsigned 2 bytes
                    case 0x8a -> stack.add(littleEndianInteger(in.get() & 0xFF)); // LONG1
                    case 0x8b -> stack.add(littleEndianInteger(in.getInt() & 0xFFFFFFFFL)); // LONG4
                    case 'G' -> stack.add(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT is big-endian
                    case 0x88 -> stack.add(Boolean.TRUE);
                    case 0x89 -> stack.add(Boolean.FALSE);
                    case 'N' -> stack.add(null);
                    case 'q' -> memo.put((long) (in.get() & 0xFF), peek()); // BINPUT
                    case 'r' -> memo.put(in.getInt() & 0xFFFFFFFFL, peek()); // LONG_BINPUT
                    case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                    case 'h' -> stack.add(memoGet(in.get() & 0xFF)); // BINGET
                    case 'j' -> stack.add(memoGet(in.getInt() & 0xFFFFFFFFL)); // LONG_BINGET
                    case '0' -> pop(); // POP
                    case '1' -> popMark(); // POP_MARK
                    case '2' -> stack.add(peek()); // DUP
                    case 'c' -> stack.add(allowedGlobal(line(), line())); // GLOBAL "module\nname\n"
                    case 0x93 -> { // STACK_GLOBAL
                        Object name = pop(), module = pop();
                        if (!(module instanceof String m) || !(name instanceof String n)) throw error("STACK_GLOBAL needs two strings");
                        stack.add(allowedGlobal(m, n));
                    }
                    case 'R' -> { // REDUCE: callable(*args)
                        Object args = pop();
                        stack.add(call(pop(), asList(args, "REDUCE arguments")));
                    }
                    case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                        Object args = pop();
                        stack.add(newObject(pop(), asList(args, "NEWOBJ arguments")));
                    }
                    case 0x92 -> { // NEWOBJ_EX: cls.__new__(cls, *args, **kwargs)
                        pop();
                        Object args = pop();
                        stack.add(newObject(pop(), asList(args, "NEWOBJ_EX arguments")));
                    }
                    case 'b' -> build(pop(), peek()); // BUILD: obj.__setstate__(state)
                    case 's' -> { // SETITEM
                        Object value = pop(), key = pop();
                        asDict(peek()).put(key, value);
                    }
                    case 'u' -> { // SETITEMS
                        List<Object> items = popMark();
                        Map<Object, Object> dict = asDict(peek());
                        for (int i = 0; i + 1 < items.size(); i += 2) dict.put(items.get(i), items.get(i + 1));
                    }
                    case 'a' -> { // APPEND
                        Object value = pop();
                        asArrayList(peek()).add(value);
                    }
                    case 'e' -> { // APPENDS
                        List<Object> items = popMark();
                        asArrayList(peek()).addAll(items);
                    }
                    case 0x90 -> { // ADDITEMS
                        List<Object> items = popMark();
                        if (!(peek() instanceof Set<?>)) throw error("ADDITEMS on " + describe(peek()));
                        @SuppressWarnings("unchecked") Set<Object> set = (Set<Object>) peek();
                        set.addAll(items);
                    }
                    case 'Q' -> stack.add(persistentLoad(pop())); // BINPERSID
                    default -> throw error(String.format("unsupported pickle opcode 0x%02x at byte %d", op, in.position() - 1));
                }
            }
        } catch (BufferUnderflowException e) {
            throw error("ends in the middle of an instruction (truncated?)");
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw error("malformed pickle (" + e.getMessage() + ")");
        }
    }

    // ---- the callables a state dict needs ----

    private Global allowedGlobal(String module, String name) {
        boolean allowed = switch (module) {
            case "collections" -> name.equals("OrderedDict");
            case "torch._utils" -> name.equals("_rebuild_tensor_v2") || name.equals("_rebuild_tensor")
                    || name.equals("_rebuild_parameter") || name.equals("_rebuild_parameter_with_state");
            case "torch" -> DType.ofTorchStorage(name) != null;
            default -> false;
        };
        if (!allowed) {
            throw UserError.inFile(file, "refusing to unpickle " + module + "." + name
                    + " (only state dicts of tensors are read; a checkpoint must not run code)");
        }
        return new Global(module, name);
    }

    private Object call(Object callable, List<Object> args) {
        if (!(callable instanceof Global global)) throw error("REDUCE on " + describe(callable) + ", which is not callable");
        switch (global.dotted()) {
            case "collections.OrderedDict" -> {
                Map<Object, Object> dict = new LinkedHashMap<>();
                if (!args.isEmpty()) {
                    for (Object pair : asList(args.get(0), "OrderedDict items")) {
                        List<Object> kv = asList(pair, "OrderedDict item");
                        dict.put(kv.get(0), kv.get(1));
                    }
                }
                return dict;
            }
            // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            // _rebuild_tensor(storage, storage_offset, size, stride)
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (args.size() < 4) throw error(global.dotted() + " needs at least 4 arguments, got " + args.size());
                if (!(args.get(0) instanceof Storage storage)) throw error(global.dotted() + " on " + describe(args.get(0)) + " instead of a storage");
                return tensor(storage, asLong(args.get(1), "storage_offset"), longs(args.get(2), "size"), longs(args.get(3), "stride"));
            }
            // _rebuild_parameter(data, requires_grad, backward_hooks[, state]): an nn.Parameter is its data here
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (args.isEmpty() || !(args.get(0) instanceof StoredTensor tensor)) throw error(global.dotted() + " without a tensor");
                return tensor;
            }
            default -> throw error("cannot call " + global.dotted());
        }
    }

    private Object newObject(Object cls, List<Object> args) {
        if (cls instanceof Global g && g.dotted().equals("collections.OrderedDict")) return new LinkedHashMap<>();
        throw error("cannot create an instance of " + describe(cls));
    }

    /** BUILD sets instance state. The only case in a state dict: the OrderedDict's _metadata attribute, which we do not need. */
    private void build(Object state, Object target) {
        if (!(target instanceof Map<?, ?>) && !(target instanceof StoredTensor)) throw error("BUILD on " + describe(target));
    }

    /** persistent id ('storage', storage class, key, location, numel), as torch.save writes it for every storage. */
    private Storage persistentLoad(Object pid) {
        List<Object> t = asList(pid, "persistent id");
        if (t.size() != 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof Global type)) {
            throw error("unexpected persistent id " + t);
        }
        DType dtype = DType.ofTorchStorage(type.name());
        if (!type.module().equals("torch") || dtype == null) throw error("unknown storage type " + type.dotted());
        if (!(t.get(2) instanceof String key)) throw error("storage key " + t.get(2) + " is not a string");
        long numel = asLong(t.get(4), "storage numel");
        if (numel < 0 || numel > Long.MAX_VALUE / 8) throw error("storage " + key + " has an impossible size " + numel);
        return new Storage(dtype, key, numel);
    }

    /** Checks that every element of the view lies inside its storage: offset + sum (size_d - 1) * stride_d < numel. */
    private StoredTensor tensor(Storage storage, long offset, long[] size, long[] stride) {
        if (size.length != stride.length) throw error("tensor size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride) + " differ in rank");
        long last = offset;
        boolean empty = false;
        for (int d = 0; d < size.length; d++) {
            if (size[d] < 0 || stride[d] < 0) throw error("negative size or stride " + Arrays.toString(size) + " " + Arrays.toString(stride));
            if (size[d] == 0) empty = true;
            else last += (size[d] - 1) * stride[d];
        }
        if (offset < 0 || (!empty && last >= storage.numel())) {
            throw error("tensor of size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride) + ", offset " + offset
                    + " reaches past its storage " + storage.key() + " of " + storage.numel() + " elements");
        }
        return new StoredTensor(storage, offset, size, stride);
    }

    // ---- stack and value helpers ----

    private Object pop() {
        if (stack.isEmpty()) throw error("stack underflow");
        Object top = stack.removeLast();
        if (top == MARK) throw error("unexpected MARK");
        return top;
    }

    private Object peek() {
        if (stack.isEmpty() || stack.getLast() == MARK) throw error("stack underflow");
        return stack.getLast();
    }

    /** Removes and returns everything above the latest MARK (and the mark). */
    private List<Object> popMark() {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) throw error("no MARK on the stack");
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) throw error("memo entry " + index + " used before it was stored");
        return memo.get(index);
    }

    private String line() {
        int start = in.position();
        while (in.get() != '\n') {
            // scan to the newline that ends a GLOBAL argument
        }
        return new String(in.array(), start, in.position() - start - 1, StandardCharsets.UTF_8);
    }

    private byte[] bytes(long length) {
        if (length < 0 || length > in.remaining()) throw error("string of " + length + " bytes runs past the end");
        byte[] b = new byte[(int) length];
        in.get(b);
        return b;
    }

    private String utf8(long length) {
        return new String(bytes(length), StandardCharsets.UTF_8);
    }

    private String latin1(long length) {
        return new String(bytes(length), StandardCharsets.ISO_8859_1);
    }

    /** LONG1 / LONG4: a two's complement little-endian integer of n bytes. */
    private Long littleEndianInteger(long n) {
        if (n > 8) throw error("integer of " + n + " bytes does not fit in 64 bits");
        long value = 0;
        for (int i = 0; i < n; i++) value |= (in.get() & 0xFFL) << (8 * i);
        if (n > 0 && n < 8) value = (value << (64 - 8 * n)) >> (64 - 8 * n); // sign-extend
        return value;
    }

    private List<Object> asList(Object value, String what) {
        if (value instanceof List<?> list) {
            @SuppressWarnings("unchecked") List<Object> objects = (List<Object>) list;
            return objects;
        }
        throw error(what + " should be a tuple, found " + describe(value));
    }

    private Map<Object, Object> asDict(Object value) {
        if (value instanceof Map<?, ?> map) {
            @SuppressWarnings("unchecked") Map<Object, Object> dict = (Map<Object, Object>) map;
            return dict;
        }
        throw error("SETITEM on " + describe(value));
    }

    private ArrayList<Object> asArrayList(Object value) {
        if (value instanceof ArrayList<?> list) {
            @SuppressWarnings("unchecked") ArrayList<Object> objects = (ArrayList<Object>) list;
            return objects;
        }
        throw error("APPEND on " + describe(value));
    }

    private long asLong(Object value, String what) {
        if (value instanceof Long n) return n;
        throw error(what + " should be an integer, found " + describe(value));
    }

    private long[] longs(Object value, String what) {
        List<Object> items = asList(value, what);
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) out[i] = asLong(items.get(i), what);
        return out;
    }

    private static String describe(Object value) {
        if (value == null) return "None";
        if (value instanceof Global g) return g.dotted();
        if (value instanceof String s) return "'" + s + "'";
        return value.getClass().getSimpleName();
    }
}
