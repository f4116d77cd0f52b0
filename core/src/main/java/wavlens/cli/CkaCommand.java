package wavlens.cli;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.analysis.Cka;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.NpyMap;
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
        // Big float32 on both sides: memory-map the files and stream over their rows once (no copy);
        // small problems take the exact double path below.
        try (Arena arena = Arena.ofShared()) {
            NpyMap mx = NpyMap.floats2d(a, arena), my = mx == null ? null : NpyMap.floats2d(b, arena);
            if (mx != null && my != null && !Cka.exactInDouble(mx.rows(), mx.cols(), my.cols())) {
                if (mx.rows() != my.rows()) throw UserError.inFile(b, "has " + my.rows() + " rows but " + a + " has " + mx.rows());
                Cka.Result r;
                try {
                    r = Cka.linearStreamed(mx.data(), mx.cols(), my.data(), my.cols(), mx.rows());
                } catch (UserError e) {
                    throw new UserError(a + ", " + b + ": " + e.getMessage());
                }
                print(r, mx.rows(), mx.cols(), my.cols());
                return 0;
            }
        }
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
        print(r, n, x.shape()[1], y.shape()[1]);
        return 0;
    }

    private static void print(Cka.Result r, int n, int pa, int pb) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("n", n);
        out.put("p_a", pa);
        out.put("p_b", pb);
        out.put("cka", r.cka());
        out.put("cka_debiased", Double.isNaN(r.ckaDebiased()) ? null : r.ckaDebiased());
        System.out.printf("CKA %.6f, debiased CKA %s%n", r.cka(), Double.isNaN(r.ckaDebiased()) ? "undefined" : String.format("%.6f", r.ckaDebiased()));
        System.out.println(Json.oneLine(out));
    }

    private static Npy.Array matrix(Path file) {
        Npy.Array m = wavlens.store.FeatureStore.readMatrix(file);   // a sharded store's STORE/frames/layer_I.npy too
        if (m.shape().length != 2) throw UserError.inFile(file, "expected a 2-D n×p matrix, got shape " + java.util.Arrays.toString(m.shape()));
        return m;
    }
}
