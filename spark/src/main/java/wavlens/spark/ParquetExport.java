package wavlens.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.store.FeatureStore;
import wavlens.store.StoreLayout;

/**
 * The store as Parquet, for other Spark jobs and pandas/pyarrow: STORE/parquet/frames and
 * STORE/parquet/segments, one row per stored frame (segment) with the columns of rows.csv (row is
 * the global store row) and one array&lt;float&gt; column per layer (layer_0 … layer_L,
 * layer_extract). Written by Spark's DataFrame writer from the executors, one task per shard,
 * under Spark's own file commit protocol (a _SUCCESS file marks a finished folder).
 */
final class ParquetExport {
    private ParquetExport() {}

    private static final Set<String> LONGS = Set.of("row");
    private static final Set<String> INTS = Set.of("frame", "label_id", "segment", "frames");
    private static final Set<String> DOUBLES = Set.of("time", "majority_fraction", "start", "end");

    static void write(SparkSession spark, Path root) {
        FeatureStore store = FeatureStore.open(root);
        List<Path> shards = store.shardRoots();
        if (shards.isEmpty()) throw UserError.inFile(root, "is a single-file store; Parquet is written for sharded stores");
        for (String pool : List.of("frames", "segments")) {
            Path dir = root.resolve("parquet").resolve(pool);
            if (Files.exists(dir.resolve("_SUCCESS"))) continue;   // written by an earlier run
            if (!Files.exists(shards.get(0).resolve(pool).resolve("rows.csv"))) continue;
            List<String> header = Csv.read(shards.get(0).resolve(pool).resolve("rows.csv")).get(0);
            List<String> layers = layerNames(shards.get(0).resolve(pool));
            long[] offsets = new long[shards.size()];
            long total = 0;
            for (int s = 0; s < shards.size(); s++) {
                offsets[s] = total;
                total += Json.read(shards.get(s).resolve("store.json")).path(pool).asLong();
            }
            List<Object[]> tasks = new ArrayList<>();
            for (int s = 0; s < shards.size(); s++) tasks.add(new Object[] {shards.get(s).toString(), offsets[s]});
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            String p = pool;
            JavaRDD<Row> rows = sc.parallelize(tasks, tasks.size()).flatMap(t -> shardRows(Path.of((String) t[0]), p, (Long) t[1], header, layers).iterator());
            spark.createDataFrame(rows, schema(header, layers)).write().mode(SaveMode.Overwrite).parquet(dir.toUri().toString());
        }
    }

    static List<String> layerNames(Path poolDir) {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(poolDir)) {
            s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("layer_") && n.endsWith(".npy"))
                    .map(n -> n.substring(0, n.length() - 4)).forEach(out::add);
        } catch (java.io.IOException e) {
            throw UserError.inFile(poolDir, "cannot list: " + e.getMessage());
        }
        // layer_extract first, then hidden_states in index order
        out.sort((a, b) -> Integer.compare(index(a), index(b)));
        return out;
    }

    private static int index(String layerName) {
        String k = layerName.substring("layer_".length());
        return k.equals("extract") ? -1 : Integer.parseInt(k);
    }

    static StructType schema(List<String> header, List<String> layers) {
        List<StructField> f = new ArrayList<>();
        for (String c : header) f.add(DataTypes.createStructField(c, type(c), false));
        for (String l : layers) f.add(DataTypes.createStructField(l, DataTypes.createArrayType(DataTypes.FloatType, false), false));
        return DataTypes.createStructType(f);
    }

    private static DataType type(String column) {
        if (LONGS.contains(column)) return DataTypes.LongType;
        if (INTS.contains(column)) return DataTypes.IntegerType;
        if (DOUBLES.contains(column)) return DataTypes.DoubleType;
        return DataTypes.StringType;
    }

    /** One shard's rows: its rows.csv typed, the global row number, each layer's vector. Runs on an executor. */
    static List<Row> shardRows(Path shard, String pool, long offset, List<String> header, List<String> layers) {
        Path dir = shard.resolve(pool);
        List<List<String>> csv = Csv.read(dir.resolve("rows.csv"));
        int n = csv.size() - 1;
        float[][] data = new float[layers.size()][];
        int[] dims = new int[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            Npy.Array a = Npy.read(dir.resolve(StoreLayout.layerFile(index(layers.get(l)))));
            if (a.shape()[0] != n) throw UserError.inFile(dir.resolve(layers.get(l) + ".npy"), "has " + a.shape()[0] + " rows, rows.csv " + n);
            data[l] = a.asFloats();
            dims[l] = a.shape()[1];
        }
        List<Row> out = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            List<String> in = csv.get(r + 1);
            Object[] v = new Object[header.size() + layers.size()];
            for (int c = 0; c < header.size(); c++) {
                String name = header.get(c), s = in.get(c);
                if (name.equals("row")) v[c] = offset + r;
                else if (INTS.contains(name)) v[c] = Integer.parseInt(s);
                else if (DOUBLES.contains(name)) v[c] = s.isEmpty() ? Double.NaN : Double.parseDouble(s);
                else v[c] = s;
            }
            for (int l = 0; l < layers.size(); l++) {
                Float[] x = new Float[dims[l]];
                for (int d = 0; d < dims[l]; d++) x[d] = data[l][r * dims[l] + d];
                v[header.size() + l] = x;
            }
            out.add(RowFactory.create(v));
        }
        return out;
    }
}
