package wavlens.corpus.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.UserError;

class SentenceHarvesterTest {
    @TempDir
    Path tmp;

    @Test
    void keepsSpeakableFinnishSentencesOnly() throws Exception {
        Path help = Files.createDirectories(tmp.resolve("help"));
        Files.writeString(help.resolve("page.html"), """
                <html><head><style>p { color: red; }</style><script>var s = "<p>Tämä on skriptissä oleva lause.</p>";</script></head>
                <body><h1>Otsikko ei ole kappale</h1>
                <p class="x">Valitse <span>objekti</span>, jolla määrität reunan. Bussi 42 lähtee kello kuusi.</p>
                <p>Opens a dialog where the parameter can be edited.</p>
                <p>Siirtyy takaisin edelliselle sivulle!   Lyhyt lause.</p>
                <p>Tiedoston muoto m&auml;&#228;ritet&#xE4;&#xe4;n t&auml;ss&auml; valikossa?</p>
                <p>valitaan pienellä alkava lause ilman isoa kirjainta.</p>
                </body></html>
                """);
        Files.writeString(help.resolve("notes.txt"), "Kissa juoksi pihan poikki.\nThe cat ran across the yard.\n");
        Files.writeString(help.resolve("image.png"), "Kuva ei ole tekstiä lainkaan.");

        SentenceHarvester.Result r = SentenceHarvester.harvest(List.of(help), 4, 14);
        assertEquals(2, r.files());
        assertEquals(List.of(
                "Kissa juoksi pihan poikki.",
                "Siirtyy takaisin edelliselle sivulle!",
                "Tiedoston muoto määritetään tässä valikossa?",
                "Valitse objekti, jolla määrität reunan."), r.sentences());
        for (String s : r.sentences()) assertEquals(null, FinnishText.problem(s), s); // corpus synth accepts every one
    }

    /**
     * gettext .mo files as msgfmt writes them (fi-messages.po beside them, compiled with GNU msgfmt in
     * both byte orders): every translation, each plural form and line on its own, ~ removed; the
     * English one and the header entry fail the sentence test.
     */
    @Test
    void readsTheTranslationsOfGettextMoFilesInEitherByteOrder() throws Exception {
        Path fixtures = Path.of("src/test/resources/corpus/gettext");
        List<String> expected = List.of(
                "Avaa asiakirja vain luettavaksi.",
                "Kissa juoksi pihan poikki.",
                "Koira haukkui ovella kovaa.",
                "Monta tiedostoa poistettiin pysyvästi.",
                "Yksi tiedosto poistettiin pysyvästi.");
        for (String name : List.of("fi-messages.mo", "fi-messages-be.mo")) {
            SentenceHarvester.Result r = SentenceHarvester.harvest(List.of(fixtures.resolve(name)), 4, 14);
            assertEquals(expected, r.sentences(), name);
        }
        // a folder: both .mo files (the .po is not read), the same sentences once each
        assertEquals(expected, SentenceHarvester.harvest(List.of(fixtures), 4, 14).sentences());
        assertEquals(2, SentenceHarvester.harvest(List.of(fixtures), 4, 14).files());

        Path notMo = tmp.resolve("broken.mo");
        Files.writeString(notMo, "this is not a message catalogue at all");
        UserError e = assertThrows(UserError.class, () -> SentenceHarvester.harvest(List.of(notMo), 4, 14));
        assertTrue(e.getMessage().contains("broken.mo") && e.getMessage().contains("not a gettext .mo file"), e.getMessage());
        byte[] cut = java.util.Arrays.copyOf(Files.readAllBytes(fixtures.resolve("fi-messages.mo")), 120);
        Path truncated = tmp.resolve("cut.mo");
        Files.write(truncated, cut);
        e = assertThrows(UserError.class, () -> SentenceHarvester.harvest(List.of(truncated), 4, 14));
        assertTrue(e.getMessage().contains("cut.mo") && e.getMessage().contains("outside the file"), e.getMessage());
    }

    @Test
    void wordLimitsAndMissingInputs() throws Exception {
        Path f = tmp.resolve("a.txt");
        Files.writeString(f, "Kissa juoksi pihan poikki.\nPieni kissa juoksi nopeasti pihan poikki.\n");
        assertEquals(List.of("Kissa juoksi pihan poikki."), SentenceHarvester.harvest(List.of(f), 4, 5).sentences());
        UserError e = assertThrows(UserError.class, () -> SentenceHarvester.harvest(List.of(tmp.resolve("nope")), 4, 14));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }
}
