package wavlens.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.analysis.probe.ClassificationReport;
import wavlens.analysis.probe.LogisticProbe;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.tensor.Blas;

/**
 * Linear-probe speed on a seeded synthetic problem shaped like one layer of wav2vec2-base frames
 * (50,000 × 768, 30 letter classes). With --data DIR the problem, the train/test split and the
 * result are written there so bench/sklearn_probe.py fits scikit-learn on exactly the same rows.
 *
 * <p>Synthetic data: class means μ_c ~ N(0, s²·I) with s = separation/√(2d), so two class means are
 * about `separation` apart; each frame is μ_y plus anisotropic noise (per-column scales log-uniform in
 * [0.25, 4], plus a shared 16-dimensional random component, so the problem is ill-conditioned the way
 * real features are) plus a per-utterance offset (utterances of 100 frames, like a speaker effect),
 * which is why the split is by utterance.
 */
@Command(name = "probe", mixinStandardHelpOptions = true, description = {
        "Linear probe (multinomial logistic regression, L-BFGS) speed and held-out accuracy on a seeded synthetic",
        "problem; --data DIR also writes it as .npy for bench/sklearn_probe.py."})
public final class BenchProbeCommand implements Callable<Integer> {
    @Option(names = "--rows", defaultValue = "50000", description = "frames (default ${DEFAULT-VALUE})") int rows;
    @Option(names = "--dims", defaultValue = "768", description = "feature dimension (default ${DEFAULT-VALUE})") int dims;
    @Option(names = "--classes", defaultValue = "30", description = "classes (default ${DEFAULT-VALUE})") int classes;
    @Option(names = "--iterations", defaultValue = "200", description = "L-BFGS iterations (default ${DEFAULT-VALUE})") int iterations;
    @Option(names = "--separation", defaultValue = "3.0", description = "typical distance between class means in noise units (default ${DEFAULT-VALUE})") double separation;
    @Option(names = "--seed", defaultValue = "1", description = "data and split seed (default ${DEFAULT-VALUE})") long seed;
    @Option(names = "--data", description = "folder to write x.npy, labels.npy, utterances.npy, is_test.npy and java_result.json") Path data;
    @Option(names = "--json", description = "last line: one JSON object") boolean json;

    static final int FRAMES_PER_UTTERANCE = 100;
    static final double TEST_FRACTION = 0.2;

    @Override
    public Integer call() {
        if (rows < 2 * FRAMES_PER_UTTERANCE || dims < 1 || classes < 2 || iterations < 1)
            throw new UserError("bench probe: need --rows >= 200, --dims >= 1, --classes >= 2, --iterations >= 1");
        int n = rows, d = dims;
        float[] x = new float[n * d];
        int[] labels = new int[n], utterances = new int[n];
        makeProblem(x, labels, utterances, n, d, classes, separation, seed);
        boolean[] isTest = LogisticProbe.splitByUtterance(utterances, TEST_FRACTION, seed);

        int testRows = 0;
        for (boolean t : isTest) if (t) testRows++;
        int trainRows = n - testRows;
        float[] trainX = new float[trainRows * d], testX = new float[testRows * d];
        int[] trainY = new int[trainRows], testY = new int[testRows];
        for (int i = 0, a = 0, b = 0; i < n; i++) {
            if (isTest[i]) {
                System.arraycopy(x, i * d, testX, b * d, d);
                testY[b++] = labels[i];
            } else {
                System.arraycopy(x, i * d, trainX, a * d, d);
                trainY[a++] = labels[i];
            }
        }
        if (data != null) {
            int[] testFlag = new int[n];
            for (int i = 0; i < n; i++) testFlag[i] = isTest[i] ? 1 : 0;
            Npy.writeFloats(data.resolve("x.npy"), x, n, d);
            Npy.writeInts(data.resolve("labels.npy"), labels, n);
            Npy.writeInts(data.resolve("utterances.npy"), utterances, n);
            Npy.writeInts(data.resolve("is_test.npy"), testFlag, n);
        }
        x = null; // the full matrix is no longer needed; let the fit have the memory

        // Gradient tolerance 0: run the full iteration budget, as sklearn does at max_iter=200 on this size.
        LogisticProbe.Options options = new LogisticProbe.Options(1.0, iterations, 0);
        // CPU seconds of the whole process (all threads, OpenBLAS's included) besides wall time: on a
        // shared machine the wall time depends on the other jobs, the CPU time much less.
        long cpu0 = processCpuNanos(), t0 = System.nanoTime();
        LogisticProbe.Model model = LogisticProbe.fit(trainX, trainRows, d, trainY, options);
        double fitSeconds = (System.nanoTime() - t0) / 1e9, fitCpuSeconds = (processCpuNanos() - cpu0) / 1e9;
        ClassificationReport test = ClassificationReport.of(testY, model.predict(testX, testRows));
        ClassificationReport train = ClassificationReport.of(trainY, model.predict(trainX, trainRows));

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("rows", n);
        r.put("dims", d);
        r.put("classes", classes);
        r.put("train_rows", trainRows);
        r.put("test_rows", testRows);
        r.put("threads", Runtime.getRuntime().availableProcessors());
        r.put("blas", Blas.available() ? "openblas" : "java-fallback");
        r.put("iterations", model.iterations());
        r.put("function_evaluations", model.evaluations());
        r.put("stop", model.stop().toString());
        r.put("fit_seconds", fitSeconds);
        r.put("fit_cpu_seconds", fitCpuSeconds);
        r.put("loss", model.loss());
        r.put("train_accuracy", train.accuracy());
        r.put("test_accuracy", test.accuracy());
        if (data != null) Json.write(data.resolve("java_result.json"), r);
        System.out.printf("linear probe %d x %d, %d classes (%d train / %d test rows, split by utterance), %s, %d cores%n",
                n, d, classes, trainRows, testRows, r.get("blas"), r.get("threads"));
        System.out.printf("fit %.2f s (%.2f CPU s): %d iterations, %d function evaluations (%s), loss %.2f; accuracy train %.4f, held-out %.4f%n",
                fitSeconds, fitCpuSeconds, model.iterations(), model.evaluations(), model.stop(), model.loss(), train.accuracy(), test.accuracy());
        if (json) System.out.println(Json.oneLine(r));
        return 0;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Fills x (n×d), labels and utterance ids; see the class comment for the model. */
    static void makeProblem(float[] x, int[] labels, int[] utterances, int n, int d, int classes, double separation, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double meanScale = separation / Math.sqrt(2.0 * d);
        double[] means = new double[classes * d];
        for (int i = 0; i < means.length; i++) means[i] = meanScale * random.nextGaussian();
        double[] columnScale = new double[d];
        for (int k = 0; k < d; k++) columnScale[k] = Math.exp(Math.log(0.25) + random.nextDouble() * Math.log(16));
        int shared = 16;
        double[] mixing = new double[shared * d];
        for (int i = 0; i < mixing.length; i++) mixing[i] = random.nextGaussian() / Math.sqrt(shared);
        int utteranceCount = (n + FRAMES_PER_UTTERANCE - 1) / FRAMES_PER_UTTERANCE;
        double[] offsets = new double[utteranceCount * d];
        for (int i = 0; i < offsets.length; i++) offsets[i] = 0.3 * random.nextGaussian();
        // Class frequencies uneven like letters: weight ∝ 1/(rank+2).
        double[] cumulative = new double[classes];
        double total = 0;
        for (int c = 0; c < classes; c++) cumulative[c] = total += 1.0 / (c + 2);
        double[] latent = new double[shared];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble() * total;
            int label = 0;
            while (label < classes - 1 && cumulative[label] < u) label++;
            labels[i] = label;
            int utterance = i / FRAMES_PER_UTTERANCE;
            utterances[i] = utterance;
            for (int j = 0; j < shared; j++) latent[j] = random.nextGaussian();
            for (int k = 0; k < d; k++) {
                double v = means[label * d + k] + offsets[utterance * d + k] + columnScale[k] * random.nextGaussian();
                for (int j = 0; j < shared; j++) v += latent[j] * mixing[j * d + k];
                x[i * d + k] = (float) v;
            }
        }
    }
}
