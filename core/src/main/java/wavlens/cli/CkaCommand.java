package wavlens.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.analysis.Cka;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;

/** wavlens cka: linear CKA (plain and debiased) between two representations of the same examples. */
@Command(name = "cka", mixinStandardHelpOptions = true, description = {
        "Linear CKA (Kornblith et al. 2019) between two n×p matrices whose rows are the same n examples.",
        "The last line is JSON with cka and cka_debiased (null when n < 4 or undefined)."})
public final class CkaCommand implements Callable<Integer> {
    @Option(names = "--a", required = true, description = "n×p1 .npy")
    Path a;

    @Option(names = "--b", required = true, description = "n×p2 .npy")
    Path b;

    @Override
    public Integer call() {
        Npy.Array x = matrix(a), y = matrix(b);
        if (x.shape()[0] != y.shape()[0]) {
            throw UserError.inFile(b, "has " + y.shape()[0] + " rows but " + a + " has " + x.shape()[0]);
        }
        int n = x.shape()[0];
        Cka.Result r;
        // float64 input on either side → exact double path (float32 converts to double exactly)
        boolean doubles = x.doubles() != null || y.doubles() != null;
        try {
            r = doubles ? Cka.linear(x.asDoubles(), x.shape()[1], y.asDoubles(), y.shape()[1], n)
                    : Cka.linear(x.asFloats(), x.shape()[1], y.asFloats(), y.shape()[1], n);
        } catch (UserError e) {
            throw new UserError(a + ", " + b + ": " + e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("n", n);
        out.put("p_a", x.shape()[1]);
        out.put("p_b", y.shape()[1]);
        out.put("cka", r.cka());
        out.put("cka_debiased", Double.isNaN(r.ckaDebiased()) ? null : r.ckaDebiased());
        System.out.printf("CKA %.6f, debiased CKA %s%n", r.cka(), Double.isNaN(r.ckaDebiased()) ? "undefined" : String.format("%.6f", r.ckaDebiased()));
        System.out.println(Json.oneLine(out));
        return 0;
    }

    private static Npy.Array matrix(Path file) {
        Npy.Array m = wavlens.store.FeatureStore.readMatrix(file);   // a sharded store's STORE/frames/layer_I.npy too
        if (m.shape().length != 2) throw UserError.inFile(file, "expected a 2-D n×p matrix, got shape " + java.util.Arrays.toString(m.shape()));
        return m;
    }
}
