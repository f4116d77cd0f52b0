package wavlens.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * `./wavlens spark` builds the module when needed and runs SparkMain; the jar it builds (the one a
 * user gives spark-submit) holds wavlens and core's libraries but no Spark, Scala or Hadoop class.
 */
class LauncherAndJarTest {
    @Test
    void launcherRunsTheSparkModuleAndItsJarLeavesSparkOut() throws Exception {
        Path home = Path.of(System.getProperty("wavlens.home", "..")).toAbsolutePath().normalize();
        Process p = new ProcessBuilder(home.resolve("wavlens").toString(), "spark", "--version").redirectErrorStream(true).start();
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "the launcher finished");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("wavlens-spark 0.1.0"), out);
        assertFalse(out.contains("WARNING"), "the launcher filters the JVM's start-up warnings:\n" + out);

        Path jar = home.resolve("spark/target/wavlens-spark.jar");
        List<String> names;
        try (ZipFile z = new ZipFile(jar.toFile())) {
            names = z.stream().map(e -> e.getName()).toList();
        }
        assertTrue(names.contains("wavlens/spark/SparkMain.class"));
        assertTrue(names.contains("wavlens/store/ShardedStore.class"), "core is inside");
        assertTrue(names.stream().anyMatch(n -> n.startsWith("wavlens/shaded/jackson/")), "Jackson relocated");
        for (String prefix : List.of("org/apache/spark/", "scala/", "org/apache/hadoop/", "com/fasterxml/jackson/", "org/apache/parquet/")) {
            assertTrue(names.stream().noneMatch(n -> n.startsWith(prefix)), "the jar holds " + prefix + " classes");
        }
        assertTrue(Files.readString(home.resolve("spark/target/classpath.txt")).contains("spark-core_2.13-4.2.0.jar"), "classpath.txt names Spark");
    }
}
