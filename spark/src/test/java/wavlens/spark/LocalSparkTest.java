package wavlens.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Spark itself starts in-process on local[2] under JDK 25 with the module's JVM flags. */
class LocalSparkTest {
    @Test
    void localTwoCoresRunsAJob() {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("wavlens-test")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            long sum = sc.parallelize(List.of(1, 2, 3, 4, 5, 6), 2).map(i -> (long) i * i).reduce(Long::sum);
            assertEquals(91L, sum);
        } finally {
            spark.stop();
        }
    }
}
