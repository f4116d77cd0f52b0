package wavlens.corpus.synth;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** 16-bit PCM mono RIFF/WAVE: writing (the canonical 44-byte header) and reading Festival's output. */
final class WavFile {
    private WavFile() {}

    record Pcm(short[] samples, int sampleRate) {}

    /** Reads a 16-bit PCM mono RIFF/WAVE file, walking its chunks to "fmt " and "data". */
    static Pcm readPcm16Mono(byte[] bytes, String what) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) { // "RIFF", "WAVE"
            throw new IllegalStateException(what + ": not a RIFF/WAVE file");
        }
        int rate = -1;
        int pos = 12;
        while (pos + 8 <= bytes.length) {
            int id = b.getInt(pos), size = b.getInt(pos + 4);
            if (id == 0x20746d66) { // "fmt "
                int format = b.getShort(pos + 8), channels = b.getShort(pos + 10), bits = b.getShort(pos + 22);
                if (format != 1 || channels != 1 || bits != 16) {
                    throw new IllegalStateException(what + ": expected 16-bit PCM mono, got format " + format + ", " + channels + " channels, " + bits + " bits");
                }
                rate = b.getInt(pos + 12);
            } else if (id == 0x61746164) { // "data"
                if (rate < 0) throw new IllegalStateException(what + ": data chunk before fmt chunk");
                int n = Math.min(size, bytes.length - pos - 8) / 2;
                short[] samples = new short[n];
                for (int i = 0; i < n; i++) samples[i] = b.getShort(pos + 8 + 2 * i);
                return new Pcm(samples, rate);
            }
            pos += 8 + size + (size & 1); // chunks are padded to even length
        }
        throw new IllegalStateException(what + ": no data chunk");
    }

    static byte[] pcm16Mono(short[] samples, int sampleRate) {
        int dataBytes = samples.length * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {'R', 'I', 'F', 'F'}).putInt(36 + dataBytes).put(new byte[] {'W', 'A', 'V', 'E'});
        b.put(new byte[] {'f', 'm', 't', ' '}).putInt(16)
                .putShort((short) 1)            // PCM
                .putShort((short) 1)            // mono
                .putInt(sampleRate)
                .putInt(sampleRate * 2)         // byte rate = rate * channels * 2 bytes
                .putShort((short) 2)            // block align
                .putShort((short) 16);          // bits per sample
        b.put(new byte[] {'d', 'a', 't', 'a'}).putInt(dataBytes);
        for (short s : samples) b.putShort(s);
        return b.array();
    }
}
