package wavlens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine (tensor kernels, checkpoint IO, model, audio and corpus, feature store, training,
 * text) must not depend on the analysis, report, pipeline, experiment or CLI code that stands on it.
 */
class EngineDependencyTest {
    static final List<String> ENGINE = List.of("tensor", "checkpoint", "model", "audio", "corpus", "store", "train", "text", "io");
    static final Pattern UPPER = Pattern.compile("\\bwavlens\\.(analysis|report|pipeline|experiment|cli|projection)\\b");

    @Test
    void engineSourcesNameNoAnalysisReportOrCliPackage() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (String pkg : ENGINE) {
            Path dir = Path.of("src/main/java/wavlens", pkg);
            assertTrue(Files.isDirectory(dir), dir + " (the test runs from the project folder)");
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = UPPER.matcher(Files.readString(f));
                    while (m.find()) offenders.add(f + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), offenders);
    }
}
