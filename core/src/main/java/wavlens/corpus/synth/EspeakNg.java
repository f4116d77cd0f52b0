package wavlens.corpus.synth;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import wavlens.io.UserError;

/**
 * espeak-ng (Debian packages espeak-ng + libespeak-ng1, version 1.51) called through Java's FFM
 * API, for its exact phoneme events: every PHONEME event carries the sample index at which the
 * phoneme starts in the audio the same call delivers.
 *
 * <p>The library has one global state and is not thread-safe, and espeak_Terminate followed by
 * espeak_Initialize hangs in 1.51; so there is one instance per process, initialised once, and
 * {@link #synthesize} is synchronized. The output of a call depends slightly on the calls before
 * it in the same process, so a corpus is byte-identical only when made by a fresh process in the
 * same order.
 *
 * <p>espeak-ng reads a voice variant's file from its data folder each time the voice is selected, so
 * it is initialised with a private data folder of this process: links to everything in the
 * installed one, and a voices/!v folder of links to the installed variants beside which
 * {@link #addVariant} writes variants of our own (random voices for training).
 */
public final class EspeakNg {
    /** Output rate of espeak-ng's own synthesizer (what espeak_Initialize returns). */
    public static final int SAMPLE_RATE = 22050;

    /**
     * Voice variants (files in espeak-ng-data/voices/!v) that combine with the Finnish voice and
     * leave exact zeros in stop closures. Variants with an "echo" line (m2, f2–f5, linda, Alicia,
     * ...) fill the closures and leave a tail after the last event, which would break the
     * stop-closure correction; they are excluded.
     */
    public static final List<String> VARIANTS = List.of(
            "m1", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "klatt", "klatt3", "klatt4", "croak",
            "anika", "belinda", "aunty", "grandma", "shelby", "steph", "Annie", "Andrea",
            "Andy", "boris", "david", "ed", "john", "max", "paul", "rob", "travis", "victor", "zac");

    /**
     * Further variants for {@code corpus synth --more-voices}, always training voices: the held-out
     * voices are still dealt from {@link #VARIANTS} alone, so a corpus with the same seed keeps its
     * dev and test voices. Same test as above (no echo line); whispered (caleb, whisper, whisperf),
     * test-only (fast) and pitch-effect (Tweaky) variants are left out.
     */
    public static final List<String> MORE_VARIANTS = List.of(
            "Alex", "AnxiousAndy", "Denis", "Gene", "Gene2", "Jacky", "Lee", "Mario", "Michael", "Mike", "Nguyen",
            "adam", "antonio", "benjamin", "edward", "edward2", "grandpa", "gustave", "iven", "iven2", "iven3", "iven4",
            "kaukovalta", "klatt2", "klatt5", "klatt6", "linda", "marcelo", "norbert", "pedro", "quincy", "robert",
            "sandro", "steph2", "steph3");

    /** Rates (words per minute) at which event times match the audio: espeak time-stretches from 450. */
    public static final int MIN_RATE = 80, MAX_RATE = 449;

    // espeak_lib.h constants.
    private static final int AUDIO_OUTPUT_SYNCHRONOUS = 2, INITIALIZE_PHONEME_EVENTS = 0x0001;
    private static final int POS_CHARACTER = 1, CHARS_UTF8 = 1;
    private static final int PARAM_RATE = 1, PARAM_PITCH = 3, PARAM_RANGE = 4;
    private static final int EVENT_LIST_TERMINATED = 0, EVENT_WORD = 1, EVENT_PHONEME = 7;
    // espeak_EVENT on x86_64: six ints (type, unique_identifier, text_position, length,
    // audio_position, sample), user_data pointer at 24, the id union at 32; 40 bytes in all.
    private static final long EVENT_SIZE = 40, OFF_TYPE = 0, OFF_TEXT_POSITION = 8, OFF_SAMPLE = 20, OFF_ID = 32;

    private static EspeakNg instance;

    private final Arena arena = Arena.ofShared(); // never closed: the callback stub must outlive every synthesis
    private final MethodHandle setVoiceByName, setParameter, synth, synchronize;
    private final Path dataDirectory;

    // Filled by the callback during one synthesize() call.
    private short[] pcm = new short[1 << 16];
    private int pcmLength;
    private final List<int[]> phonemeEvents = new ArrayList<>(); // {sample, word index, name index}
    private final List<String> phonemeNames = new ArrayList<>();
    private int[] wordOfChar = new int[0];
    private int currentWord = -1;
    private Throwable callbackFailure;

    /** The process's one espeak-ng, initialised on first use; UserError if the library is missing. */
    public static synchronized EspeakNg instance() {
        if (instance == null) instance = new EspeakNg();
        return instance;
    }

    /** Null when libespeak-ng can be loaded, else what to install. Does not initialise espeak. */
    public static String problem() {
        try (Arena probe = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libespeak-ng.so.1", probe);
            return null;
        } catch (IllegalArgumentException e) {
            return "libespeak-ng.so.1 not found; install the Debian packages: apt-get install espeak-ng libespeak-ng1";
        }
    }

    private EspeakNg() {
        String problem = problem();
        if (problem != null) throw new UserError("espeak-ng: " + problem);
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup("libespeak-ng.so.1", arena);
        var I = ValueLayout.JAVA_INT;
        var P = ValueLayout.ADDRESS;
        MethodHandle initialize = linker.downcallHandle(lib.find("espeak_Initialize").orElseThrow(), FunctionDescriptor.of(I, I, I, P, I));
        MethodHandle setCallback = linker.downcallHandle(lib.find("espeak_SetSynthCallback").orElseThrow(), FunctionDescriptor.ofVoid(P));
        MethodHandle info = linker.downcallHandle(lib.find("espeak_Info").orElseThrow(), FunctionDescriptor.of(P, P));
        setVoiceByName = linker.downcallHandle(lib.find("espeak_SetVoiceByName").orElseThrow(), FunctionDescriptor.of(I, P));
        setParameter = linker.downcallHandle(lib.find("espeak_SetParameter").orElseThrow(), FunctionDescriptor.of(I, I, I, I));
        synth = linker.downcallHandle(lib.find("espeak_Synth").orElseThrow(),
                FunctionDescriptor.of(I, P, ValueLayout.JAVA_LONG, I, I, I, I, P, P));
        synchronize = linker.downcallHandle(lib.find("espeak_Synchronize").orElseThrow(), FunctionDescriptor.of(I));
        try {
            // espeak_ng_InitializePath(NULL) sets the library's default data path (ESPEAK_DATA_PATH or the
            // installed one), which espeak_Info then reports; espeak_Initialize sets our private one.
            MethodHandle initializePath = linker.downcallHandle(lib.find("espeak_ng_InitializePath").orElseThrow(), FunctionDescriptor.ofVoid(P));
            initializePath.invokeExact(MemorySegment.NULL);
            MemorySegment installedOut = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment ignored = (MemorySegment) info.invokeExact(installedOut);
            Path installedDataDirectory = Path.of(installedOut.get(ValueLayout.ADDRESS, 0).reinterpret(4096).getString(0)).toAbsolutePath();
            if (!Files.isRegularFile(installedDataDirectory.resolve("phontab"))) {
                throw new UserError("espeak-ng: no data folder at " + installedDataDirectory + "; is the espeak-ng package (its data) installed?");
            }
            Path privateData = privateDataDirectory(installedDataDirectory);
            int rate = (int) initialize.invokeExact(AUDIO_OUTPUT_SYNCHRONOUS, 0, arena.allocateFrom(privateData.toString()), INITIALIZE_PHONEME_EVENTS);
            if (rate != SAMPLE_RATE) throw new UserError("espeak-ng: initialisation failed (returned " + rate + "); is the espeak-ng package (its data) installed?");
            MethodHandle target = MethodHandles.lookup().findVirtual(EspeakNg.class, "onSynth",
                    MethodType.methodType(int.class, MemorySegment.class, int.class, MemorySegment.class)).bindTo(this);
            MemorySegment stub = linker.upcallStub(target, FunctionDescriptor.of(I, P, I, P), arena);
            setCallback.invokeExact(stub);
            MemorySegment pathOut = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment versionString = (MemorySegment) info.invokeExact(pathOut); // only the data path is needed
            dataDirectory = Path.of(pathOut.get(ValueLayout.ADDRESS, 0).reinterpret(4096).getString(0));
        } catch (UserError e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("espeak-ng initialisation failed", t);
        }
    }

    /** espeak-ng's data folder (where voices/!v lives): this process's private one. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * A temporary folder mirroring the installed data folder by symbolic links, with voices/!v a
     * real folder (of links to the variants we use) so that variants can be added; removed when the process ends.
     */
    private static Path privateDataDirectory(Path installed) {
        try {
            Path root = Files.createTempDirectory("wavlens-espeak-ng-data");
            List<Path> made = new ArrayList<>();
            made.add(root);
            try (var entries = Files.list(installed)) {
                for (Path e : entries.toList()) if (!e.getFileName().toString().equals("voices")) made.add(Files.createSymbolicLink(root.resolve(e.getFileName().toString()), e));
            }
            Path voices = Files.createDirectory(root.resolve("voices"));
            made.add(voices);
            try (var entries = Files.list(installed.resolve("voices"))) {
                // not the MBROLA voices (there is no Finnish one): espeak lists at most 349 voices, and added variants count
                for (Path e : entries.toList()) {
                    String name = e.getFileName().toString();
                    if (!name.equals("!v") && !name.equals("mb")) made.add(Files.createSymbolicLink(voices.resolve(name), e));
                }
            }
            Path variants = Files.createDirectory(voices.resolve("!v"));
            made.add(variants);
            try (var entries = Files.list(installed.resolve("voices").resolve("!v"))) {
                for (Path e : entries.toList()) {
                    String name = e.getFileName().toString();
                    if (VARIANTS.contains(name) || MORE_VARIANTS.contains(name)) made.add(Files.createSymbolicLink(variants.resolve(name), e));
                }
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var added = Files.list(variants)) {
                    for (Path f : added.toList()) Files.deleteIfExists(f);
                } catch (java.io.IOException ignoredOnExit) {
                    // a temporary folder left behind is harmless
                }
                for (int i = made.size() - 1; i >= 0; i--) {
                    try {
                        Files.deleteIfExists(made.get(i));
                    } catch (java.io.IOException ignoredOnExit) {
                        // likewise
                    }
                }
            }));
            return root;
        } catch (java.io.IOException e) {
            throw new UserError("espeak-ng: cannot set up a data folder in " + System.getProperty("java.io.tmpdir") + ": " + e.getMessage());
        }
    }

    /**
     * Writes a voice variant file (espeak-ng's voice-file syntax, e.g. "formant 2 120 100 100") under
     * this name into the private voices/!v, so that {@link #synthesize} can speak with it.
     */
    public synchronized void addVariant(String name, List<String> lines) {
        if (!name.matches("[A-Za-z0-9_-]+")) throw new IllegalArgumentException("variant name " + name);
        Path file = dataDirectory.resolve("voices").resolve("!v").resolve(name);
        try {
            Files.deleteIfExists(file);
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new UserError("espeak-ng: cannot write voice variant " + file + ": " + e.getMessage());
        }
    }

    /** True if the variant file exists; espeak silently falls back to the plain voice otherwise. */
    public boolean hasVariant(String variant) {
        return Files.isRegularFile(dataDirectory.resolve("voices").resolve("!v").resolve(variant));
    }

    /**
     * Speaks a sentence with the Finnish voice plus a variant, at a rate (words per minute,
     * {@value #MIN_RATE}–{@value #MAX_RATE}) and pitch (0–99), and returns the audio at 22050 Hz with
     * its phones. Pauses and zero-length events are dropped; stop closures are corrected
     * ({@link StopClosures}).
     */
    public synchronized Synthesis synthesize(String text, String variant, int rate, int pitch) {
        if (!hasVariant(variant)) throw new UserError("espeak-ng: no voice variant '" + variant + "' in " + dataDirectory.resolve("voices/!v"));
        if (rate < MIN_RATE || rate > MAX_RATE) throw new IllegalArgumentException("rate " + rate + " outside " + MIN_RATE + "–" + MAX_RATE);
        if (pitch < 0 || pitch > 99) throw new IllegalArgumentException("pitch " + pitch + " outside 0–99");

        wordOfChar = new int[text.length()];
        Arrays.fill(wordOfChar, -1);
        List<FinnishText.Word> words = FinnishText.words(text);
        for (int w = 0; w < words.size(); w++) Arrays.fill(wordOfChar, words.get(w).start(), words.get(w).end(), w);
        pcmLength = 0;
        phonemeEvents.clear();
        phonemeNames.clear();
        currentWord = -1;
        callbackFailure = null;

        try (Arena call = Arena.ofConfined()) {
            // Parameters after the voice: selecting a voice resets them.
            int status = (int) setVoiceByName.invokeExact(call.allocateFrom("fi+" + variant));
            if (status != 0) throw new IllegalStateException("espeak_SetVoiceByName(fi+" + variant + ") returned " + status);
            status = (int) setParameter.invokeExact(PARAM_RATE, rate, 0);
            status |= (int) setParameter.invokeExact(PARAM_PITCH, pitch, 0);
            status |= (int) setParameter.invokeExact(PARAM_RANGE, 50, 0);
            if (status != 0) throw new IllegalStateException("espeak_SetParameter failed");
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            MemorySegment textSegment = call.allocateFrom(text); // NUL-terminated UTF-8
            status = (int) synth.invokeExact(textSegment, (long) utf8.length + 1, 0, POS_CHARACTER, 0, CHARS_UTF8, MemorySegment.NULL, MemorySegment.NULL);
            if (status != 0) throw new IllegalStateException("espeak_Synth returned " + status);
            status = (int) synchronize.invokeExact();
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("espeak-ng call failed", t);
        }
        if (callbackFailure != null) throw new IllegalStateException("espeak-ng callback failed", callbackFailure);

        short[] samples = Arrays.copyOf(pcm, pcmLength);
        // A phoneme lasts until the next event (phoneme or pause) or the end of the audio.
        List<Synthesis.Phone> phones = new ArrayList<>();
        for (int k = 0; k < phonemeEvents.size(); k++) {
            int[] event = phonemeEvents.get(k);
            String name = phonemeNames.get(event[2]);
            int start = event[0];
            int end = k + 1 < phonemeEvents.size() ? phonemeEvents.get(k + 1)[0] : pcmLength;
            if (name.startsWith("_") || end <= start) continue;
            phones.add(new Synthesis.Phone(name, event[1], start, end));
        }
        return new Synthesis(samples, SAMPLE_RATE, StopClosures.correct(phones, samples));
    }

    /**
     * The synth callback: a chunk of PCM and an event array ending with type 0. Runs inside the
     * native call on this thread; an exception escaping an upcall would kill the JVM, so every
     * failure is caught and reported after the call returns (returning 1 asks espeak to stop).
     */
    private int onSynth(MemorySegment wav, int sampleCount, MemorySegment events) {
        try {
            if (sampleCount > 0) {
                // Both pointers arrive as zero-length segments: give them their real size.
                MemorySegment chunk = wav.reinterpret(2L * sampleCount);
                if (pcmLength + sampleCount > pcm.length) pcm = Arrays.copyOf(pcm, Math.max(2 * pcm.length, pcmLength + sampleCount));
                for (int i = 0; i < sampleCount; i++) pcm[pcmLength + i] = chunk.getAtIndex(ValueLayout.JAVA_SHORT, i);
                pcmLength += sampleCount;
            }
            for (long k = 0; ; k++) {
                MemorySegment event = events.reinterpret((k + 1) * EVENT_SIZE).asSlice(k * EVENT_SIZE);
                int type = event.get(ValueLayout.JAVA_INT, OFF_TYPE);
                if (type == EVENT_LIST_TERMINATED) break;
                if (type == EVENT_WORD) {
                    int position = event.get(ValueLayout.JAVA_INT, OFF_TEXT_POSITION) - 1; // counted from 1, in characters
                    currentWord = position >= 0 && position < wordOfChar.length ? wordOfChar[position] : -1;
                } else if (type == EVENT_PHONEME) {
                    phonemeNames.add(phonemeName(event));
                    phonemeEvents.add(new int[] {event.get(ValueLayout.JAVA_INT, OFF_SAMPLE), currentWord, phonemeNames.size() - 1});
                }
            }
            return 0;
        } catch (Throwable t) {
            if (callbackFailure == null) callbackFailure = t;
            return 1;
        }
    }

    /** The phoneme name in the 8-byte id union; not NUL-terminated when it fills all 8 bytes. */
    private static String phonemeName(MemorySegment event) {
        byte[] bytes = new byte[8];
        int length = 0;
        while (length < 8) {
            byte b = event.get(ValueLayout.JAVA_BYTE, OFF_ID + length);
            if (b == 0) break;
            bytes[length++] = b;
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}
