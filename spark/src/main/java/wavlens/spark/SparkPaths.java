package wavlens.spark;

import java.net.URI;
import java.nio.file.Path;
import wavlens.io.UserError;

/**
 * Paths given to the Spark commands: plain paths or Hadoop file-system URIs. The engine reads the
 * model memory-mapped and the corpus and store through java.nio, so they must be on storage every
 * machine mounts (NFS, Lustre, a FUSE mount of a bucket): file: URIs and plain paths. Other schemes
 * (hdfs:, s3a:, gs:) are refused with one line instead of failing deep inside a task.
 */
final class SparkPaths {
    private SparkPaths() {}

    static Path local(String spec, String what) {
        if (spec.startsWith("demo:")) return wavlens.cli.ModelPaths.resolve(spec);
        int colon = spec.indexOf(':');
        if (colon > 1 && !spec.startsWith("/")) {   // a scheme (one letter would be a Windows drive)
            String scheme = spec.substring(0, colon);
            if (!scheme.equals("file")) {
                throw new UserError(spec + ": " + what + " on " + scheme + ": is not supported yet; put it on storage every worker mounts "
                        + "and give a file: URI or a plain path");
            }
            return Path.of(URI.create(spec)).toAbsolutePath().normalize();
        }
        return Path.of(spec).toAbsolutePath().normalize();
    }
}
