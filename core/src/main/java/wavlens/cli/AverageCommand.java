package wavlens.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wavlens.checkpoint.CheckpointAverage;
import wavlens.checkpoint.DType;
import wavlens.io.Json;
import wavlens.io.UserError;

/** wavlens average: checkpoint averaging ("model soup") of models fine-tuned from one start. */
@Command(name = "average", mixinStandardHelpOptions = true, description = {
        "Average the weights of models of one shape, element by element, into a new HuggingFace model folder.",
        "Models fine-tuned from one start (successive runs, or one run's checkpoints) average into a model that often",
        "generalises better than each (Izmailov et al. 2018; Wortsman et al. 2022). Models trained from different random",
        "initialisations do not: their average is a broken model.",
        "The folder gets model.safetensors, the first model's config and tokenizer files, and averaged.json.",
        "The last line is JSON with the number of tensors and weights and each model's distance from the mean."})
public final class AverageCommand implements Callable<Integer> {
    @Parameters(arity = "2..*", paramLabel = "MODEL", description = "model folders (or demo:pretrained, demo:finetuned); the first gives config.json and the tokenizer files")
    List<String> models;

    @Option(names = "--out", required = true, description = "folder to write the average to (not one of the models)")
    Path out;

    @Option(names = "--dtype", defaultValue = "auto", description = "auto (f16 when every input stores float16, else f32), f32 or f16; default ${DEFAULT-VALUE}")
    String dtype;

    @Override
    public Integer call() {
        DType written = switch (dtype) {
            case "auto" -> null;
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            default -> throw new UserError("--dtype must be auto, f32 or f16, not " + dtype);
        };
        List<Path> dirs = new ArrayList<>();
        for (String m : models) dirs.add(ModelPaths.resolve(m));
        CheckpointAverage.Result r = CheckpointAverage.average(dirs, out, written);
        System.out.printf("averaged %d models: %d tensors, %,d weights (%s) -> %s%n", dirs.size(), r.tensors(), r.parameters(), r.dtype(), out);
        for (int i = 0; i < dirs.size(); i++) {
            System.out.printf("  %s: %.4f of the mean's norm away from it%n", dirs.get(i), r.distances()[i]);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("out", out.toString());
        json.put("models", models);
        json.put("tensors", r.tensors());
        json.put("weights", r.parameters());
        json.put("dtype", r.dtype().name());
        json.put("relative_distance_from_mean", r.distances());
        System.out.println(Json.oneLine(json));
        return 0;
    }
}
