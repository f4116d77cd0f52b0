package wavlens.corpus.synth;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** 16-bit PCM mono RIFF/WAVE bytes (the canonical 44-byte header). */
final class WavFile {
    private WavFile() {}

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
