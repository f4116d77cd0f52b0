package wavlens.corpus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import wavlens.audio.Audio;
import wavlens.audio.AudioFile;
import wavlens.io.UserError;

/**
 * Where an utterance's audio comes from. Every source is read only when asked (one utterance at
 * a time), so a corpus of any size is listed without holding audio in memory.
 * <ul>
 * <li>{@link File}: an audio file on disk (any format {@link AudioFile} reads).
 * <li>{@link Pipe}: a Kaldi {@code wav.scp} command ending in "|", run through {@code sh -c}
 *     with a time limit; its standard output is the audio (WAV as {@code sox ... -t wav -} or
 *     {@code flac -c -d -s} write it).
 * <li>{@link ParquetCell}: the {@code bytes} of a Hugging Face audio struct in one row of a
 *     Parquet shard.
 * </ul>
 * Bytes that do not come from a file are decoded in memory by {@link AudioFile#read(String, byte[])}
 * (their header durations through a temporary file); a decoding error names the pipe or the shard and row.
 */
public sealed interface AudioSource {
    /** Decodes the whole audio, channels averaged to mono, at its own rate. */
    Audio read();

    /** Duration in seconds, from the header where the format allows. */
    double durationSeconds();

    /** What to name in a message. */
    String describe();

    record File(Path path) implements AudioSource {
        public Audio read() {
            return AudioFile.read(path);
        }

        public double durationSeconds() {
            return AudioFile.durationSeconds(path);
        }

        public String describe() {
            return path.toString();
        }
    }

    /** A wav.scp command (without its final "|"), from {@code scp} line {@code line}. */
    record Pipe(String command, Path scp, int line) implements AudioSource {
        public Audio read() {
            return decodeBytes(run(), "wav", describe());
        }

        public double durationSeconds() {
            Path tmp = temporary(run(), "wav");
            try {
                return AudioFile.durationSeconds(tmp);
            } catch (UserError e) {
                throw new UserError(e.getMessage().replace(tmp.toString(), describe()));
            } finally {
                deleteQuietly(tmp);
            }
        }

        public String describe() {
            return scp + ": line " + line;
        }

        /** The command's standard output; a missing program, a failure or a time-out is a UserError naming the line. */
        byte[] run() {
            long limit = pipeTimeoutSeconds();
            Process p;
            Path errFile;
            try {
                errFile = Files.createTempFile("wavlens-pipe", ".err");
                // the command runs where wav.scp's relative paths point: the recipe folder two levels up, as Kaldi runs it
                p = new ProcessBuilder("sh", "-c", command).directory(workingFolder(scp).toFile())
                        .redirectError(errFile.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            } catch (IOException e) {
                throw UserError.inFile(describe(), "cannot start sh for the piped command: " + e.getMessage());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(out);
                } catch (IOException ignored) {
                    // the process was killed (time-out): reported below
                }
            });
            try {
                boolean finished = p.waitFor(limit, TimeUnit.SECONDS);
                if (!finished) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                    throw UserError.inFile(describe(), "piped command '" + command + "' did not finish within " + limit
                            + " s (wavlens.pipeTimeoutSeconds); killed");
                }
                reader.join();
                String err = Files.readString(errFile, StandardCharsets.UTF_8).strip();
                int code = p.exitValue();
                if (code == 127) {
                    throw UserError.inFile(describe(), "piped command needs program '" + missingProgram(err) + "', which is not installed (" + lastLine(err) + ")");
                }
                if (code != 0) {
                    throw UserError.inFile(describe(), "piped command '" + command + "' failed with exit code " + code
                            + (err.isEmpty() ? "" : ": " + lastLine(err)));
                }
                if (out.size() == 0) throw UserError.inFile(describe(), "piped command '" + command + "' wrote no audio");
                return out.toByteArray();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw UserError.inFile(describe(), "interrupted while running the piped command");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                deleteQuietly(errFile);
            }
        }

        /** Kaldi runs wav.scp commands in the recipe folder: two up from data/NAME/wav.scp; elsewhere the data folder. */
        private static Path workingFolder(Path scp) {
            Path dir = scp.toAbsolutePath().getParent();
            Path parent = dir.getParent();
            boolean recipe = parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("data") && parent.getParent() != null;
            return recipe ? parent.getParent() : dir;
        }

        private String missingProgram(String err) {
            // dash: "sh: 1: sox: not found"; bash: "sh: sox: command not found"
            for (String line : err.split("\n")) {
                String[] parts = line.split(":\\s*");
                for (int i = 0; i + 1 < parts.length; i++) {
                    if (parts[i + 1].strip().endsWith("not found") && !parts[i].strip().matches("\\d+")) return parts[i].strip();
                }
            }
            String first = command.strip().split("\\s+")[0];
            return first;
        }

        private static String lastLine(String err) {
            String[] lines = err.split("\n");
            return lines[lines.length - 1].strip();
        }
    }

    /** Row {@code row} (0-based, over the whole shard) of the audio struct column {@code column}. */
    record ParquetCell(Path shard, long row, String column, String name) implements AudioSource {
        public Audio read() {
            return decodeBytes(bytes(), extension(name), describe());
        }

        public double durationSeconds() {
            return durationOfBytes(bytes(), extension(name), describe());
        }

        public String describe() {
            return shard + ": row " + (row + 1) + " (" + name + ")";
        }

        byte[] bytes() {
            return ParquetShards.audioBytes(shard, row, column);
        }
    }

    // ---- shared

    static double durationOfBytes(byte[] bytes, String ext, String where) {
        Path tmp = temporary(bytes, ext);
        try {
            return AudioFile.durationSeconds(tmp);
        } catch (UserError e) {
            throw new UserError(e.getMessage().replace(tmp.toString(), where));
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Decodes bytes held in memory (a pipe's output, a Parquet cell); messages name {@code where}. */
    static Audio decodeBytes(byte[] bytes, String ext, String where) {
        return AudioFile.read(where, bytes);
    }

    private static Path temporary(byte[] bytes, String ext) {
        try {
            Path tmp = Files.createTempFile("wavlens-audio", "." + ext);
            Files.write(tmp, bytes);
            return tmp;
        } catch (IOException e) {
            throw new UserError("cannot write a temporary audio file: " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temporary file is harmless
        }
    }

    private static String extension(String name) {
        int dot = name == null ? -1 : name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return ext.isEmpty() || !ext.matches("[a-z0-9]{1,5}") ? "audio" : ext;
    }

    /** Seconds a wav.scp pipe may run (system property wavlens.pipeTimeoutSeconds, default 120). */
    static long pipeTimeoutSeconds() {
        return Long.getLong("wavlens.pipeTimeoutSeconds", 120L);
    }

}
