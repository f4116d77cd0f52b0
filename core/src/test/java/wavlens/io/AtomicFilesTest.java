package wavlens.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @Test
    void makesMissingFoldersAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("a/b/out.txt");
        AtomicFiles.writeString(target, "new");
        assertEquals("new", Files.readString(target));
        AtomicFiles.writeString(target, "replaced");
        assertEquals("replaced", Files.readString(target));
        try (var files = Files.list(target.getParent())) {
            assertEquals(1, files.count(), "only out.txt, no .tmp left behind");
        }
    }

    @Test
    void aFileWhereTheFolderShouldBeIsOneClearError(@TempDir Path dir) throws Exception {
        Path blocker = dir.resolve("out");
        Files.writeString(blocker, "I am a file");
        UserError e = assertThrows(UserError.class, () -> AtomicFiles.writeString(blocker.resolve("asr.json"), "{}"));
        assertEquals(blocker.resolve("asr.json") + ": cannot write: " + blocker + " is a file, not a folder", e.getMessage());
        assertEquals("I am a file", Files.readString(blocker));
    }
}
