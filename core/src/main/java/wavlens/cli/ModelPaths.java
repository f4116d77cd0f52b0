package wavlens.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import wavlens.io.UserError;

/** Turns a --model argument into a folder: a path, or one of the shipped demo models (demo:NAME). */
public final class ModelPaths {
    private ModelPaths() {}

    public static Path resolve(String spec) {
        if (spec.startsWith("demo:")) {
            String name = spec.substring(5);
            Path home = Path.of(System.getProperty("wavlens.home", "."));
            Path dir = home.resolve("models").resolve("demo-" + name);
            if (!Files.isDirectory(dir)) {
                throw new UserError("no demo model named \"" + name + "\" (looked for " + dir + ")");
            }
            return dir;
        }
        Path p = Path.of(spec);
        if (!Files.exists(p)) throw UserError.inFile(p, "no such model folder");
        return p;
    }
}
