package wavlens.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.UserError;
import wavlens.report.Report;

/**
 * A finished letter-frequency experiment as a section of the analyze report ({@code wavlens
 * analyze ... --experiment OUT}): its verdict, its two figures and its coefficient and
 * manipulation tables. Figures and tables are copied into the report folder so the report stays
 * self-contained.
 */
public final class ExperimentReport {
    static final List<String> FIGURES = List.of("experiment-frequency", "experiment-within");
    static final List<String> TABLES = List.of("coefficients.csv", "manipulation.csv", "fit_by_layer.csv", "rows.csv");

    private ExperimentReport() {}

    /** Fails early (before a long analysis) when the folder holds no finished experiment. */
    public static void check(Path experiment) {
        if (!Files.isRegularFile(experiment.resolve("experiment.json"))) {
            throw UserError.inFile(experiment, "no experiment.json: not the output folder of a finished `wavlens experiment letter-frequency`");
        }
    }

    public static Report.Section section(Path experiment, Path report) {
        check(experiment);
        JsonNode e = Json.read(experiment.resolve("experiment.json"));
        try {
            Files.createDirectories(report.resolve("figures"));
            Files.createDirectories(report.resolve("tables").resolve("experiment"));
            for (String f : FIGURES) {
                for (String ext : List.of(".png", ".svg")) {
                    Files.copy(experiment.resolve("figures").resolve(f + ext), report.resolve("figures").resolve(f + ext), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            for (String t : TABLES) Files.copy(experiment.resolve(t), report.resolve("tables").resolve("experiment").resolve(t), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ex) {
            throw UserError.inFile(experiment, "cannot copy the experiment's figures and tables into the report: " + ex.getMessage());
        }
        String measure = e.path("fit").path("accuracy_measure").asText();
        int models = e.path("variants").size();
        List<Report.Figure> figures = List.of(
                figure("experiment-frequency", String.format(Locale.ROOT, "Per-letter %s of %d models fine-tuned on subsets with controlled letter frequencies, "
                        + "against the letter's frequency in the model's subset (log scale); labels are letter and model number.", measure, models)),
                figure("experiment-within", String.format(Locale.ROOT, "The same rows within letters: each letter's mean %s and mean log frequency removed, "
                        + "so the slope is the frequency effect with letter identity (and pretrained purity) held fixed.", measure)));
        List<Report.Table> tables = List.of(
                table(report, "Accuracy ~ log training frequency + pretrained purity across the models (bootstrap 95% CIs over letters, LMG shares)",
                        "coefficients.csv"),
                table(report, "The achieved manipulation: each letter's relative frequency across the subsets", "manipulation.csv"));
        return new Report.Section("experiment", "Letter frequency, controlled", e.path("verdict").asText(), figures, tables);
    }

    private static Report.Figure figure(String name, String caption) {
        return new Report.Figure("figures/" + name + ".png", "figures/" + name + ".svg", caption, caption);
    }

    private static Report.Table table(Path report, String caption, String file) {
        List<List<String>> rows = Csv.read(report.resolve("tables").resolve("experiment").resolve(file));
        List<List<String>> body = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) body.add(r.stream().map(ExperimentReport::round).toList());
        return new Report.Table(caption, rows.get(0), body, List.of(new Report.Link("CSV", "tables/experiment/" + file)));
    }

    /** Numbers to 3 decimals for reading; the linked CSV keeps full precision. */
    static String round(String v) {
        if (!v.contains(".") && !v.contains("E")) return v;
        try {
            return String.format(Locale.ROOT, "%.3f", Double.parseDouble(v));
        } catch (NumberFormatException ex) {
            return v;
        }
    }
}
