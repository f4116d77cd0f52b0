package wavlens.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkException;
import org.apache.spark.sql.SparkSession;
import wavlens.io.UserError;

/** Starting Spark for a wavlens command, and turning its failures into one line. */
public final class SparkSessions {
    private SparkSessions() {}

    /** How long to wait for a standalone master to accept a TCP connection before saying it cannot be reached. */
    static final int CONNECT_TIMEOUT_MS = 5000;

    /**
     * A session on the given master (null: the one spark-submit configured). A spark:// master is
     * tried first with a plain TCP connection, so an unreachable one is one line within seconds, not
     * Spark's three registration attempts 20 s apart. Spark's own per-task logging is turned down:
     * wavlens prints its progress and the failing input itself.
     */
    public static SparkContext context(String master, String appName, Map<String, String> conf) {
        if (master == null && System.getProperty("spark.master") == null) {
            throw new UserError("--master is required (spark://HOST:7077, yarn, k8s://https://HOST:443, local[N]) unless spark-submit sets it");
        }
        if (master != null && master.startsWith("spark://")) checkReachable(master);
        SparkConf c = new SparkConf().setAppName(appName);
        c.initializeLogIfNecessary(false);   // Spark sets up its logging now, so the levels below stick
        quietSparkLogs();
        if (master != null) c.setMaster(master);
        c.set("spark.ui.showConsoleProgress", "false");
        // executors run the engine: the Vector API and native BLAS/FFM access, as the core launcher gives it
        String flags = "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED";
        String given = c.get("spark.executor.extraJavaOptions", "");
        if (!given.contains("jdk.incubator.vector")) c.set("spark.executor.extraJavaOptions", (given + " " + flags).trim());
        for (var e : conf.entrySet()) c.set(e.getKey(), e.getValue());
        SparkContext sc = SparkContext.getOrCreate(c);
        quietSparkLogs();   // Spark configures its logging while it starts: turn it down again
        return sc;
    }

    /** A SQL session (DataFrames, Parquet) on the context {@link #context} made (or makes). */
    public static SparkSession session(String master, String appName, Map<String, String> conf) {
        SparkContext sc = context(master, appName, conf);
        return SparkSession.builder().sparkContext(sc).getOrCreate();
    }

    static void checkReachable(String master) {
        String hosts = master.substring("spark://".length());
        IOException last = null;
        for (String hp : hosts.split(",")) {   // standalone HA: spark://h1:7077,h2:7077
            URI u = URI.create("spark://" + hp);
            int port = u.getPort() < 0 ? 7077 : u.getPort();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(u.getHost(), port), CONNECT_TIMEOUT_MS);
                return;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new UserError(master + ": cannot reach the Spark master (" + (last == null ? "no host" : last.getMessage()) + ")");
    }

    /** Spark logs every failed task with its stack trace; a wavlens user sees wavlens's one line instead (--debug keeps Spark's). */
    static void quietSparkLogs() {
        if (Boolean.getBoolean("wavlens.debug")) return;
        Configurator.setLevel("org.apache.spark", Level.ERROR);
        Configurator.setLevel("org.apache.spark.executor.Executor", Level.OFF);
        Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager", Level.OFF);
        Configurator.setLevel("org.apache.spark.scheduler.TaskSchedulerImpl", Level.OFF);
        Configurator.setLevel("org.apache.hadoop", Level.ERROR);
        Configurator.setLevel("org.sparkproject", Level.ERROR);
    }

    /** A job that failed because of the user's input (a UserError in a task) is that one line; anything else stays as it was. */
    static RuntimeException unwrap(SparkException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UserError u) return new UserError(u.getMessage());
        }
        // a task's exception that did not deserialize on the driver: its class and message are in Spark's text
        String m = String.valueOf(e.getMessage());
        int at = m.indexOf("wavlens.io.UserError: ");
        if (at >= 0) {
            String line = m.substring(at + "wavlens.io.UserError: ".length());
            int nl = line.indexOf('\n');
            return new UserError(nl < 0 ? line : line.substring(0, nl));
        }
        return new RuntimeException(e);
    }
}
