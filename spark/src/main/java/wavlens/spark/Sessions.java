package wavlens.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import wavlens.io.UserError;

/**
 * Starting Spark for a command: the master from --master or from spark-submit, a standalone
 * master's address checked first (Spark itself would retry for a minute before giving up), an
 * already running session reused (tests, notebooks), and the executors' UserErrors brought back to
 * the one line the command line prints.
 */
final class Sessions {
    private Sessions() {}

    /** How long to wait for a standalone master's port before saying it cannot be reached. */
    static final int CONNECT_TIMEOUT_MS = 3000;

    /** Runs job on a Spark context for master (null: spark-submit's spark.master); stops only a context it started. */
    static <T> T run(String master, String appName, Function<JavaSparkContext, T> job) {
        scala.Option<SparkSession> running = SparkSession.getActiveSession();
        if (running.isEmpty()) running = SparkSession.getDefaultSession();
        SparkSession active = running.isDefined() ? running.get() : null;
        boolean started = false;
        SparkSession session;
        if (active != null && (master == null || master.equals(active.sparkContext().master()))) {
            session = active;
        } else {
            String m = master != null ? master : System.getProperty("spark.master");
            if (m == null || m.isBlank()) throw new UserError("give --master URL (local[2], spark://HOST:7077, yarn, k8s://…) or run through spark-submit");
            checkReachable(m);
            session = SparkSession.builder().master(m).appName(appName).config("spark.ui.showConsoleProgress", "false").getOrCreate();
            session.sparkContext().setLogLevel("WARN");
            started = true;
        }
        try {
            return job.apply(JavaSparkContext.fromSparkContext(session.sparkContext()));
        } catch (RuntimeException e) {
            throw userErrorIn(e);
        } finally {
            if (started) session.stop();
        }
    }

    /** spark://host:port[,host:port…]: at least one must accept a connection within the timeout. */
    static void checkReachable(String master) {
        if (!master.startsWith("spark://")) return;
        String problem = null;
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw UserError.inFile(master, "is not a Spark master URL (spark://HOST:PORT)");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                return;
            } catch (IOException e) {
                problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
        }
        throw UserError.inFile(master, "cannot reach the Spark master (" + problem + ")");
    }

    /** A UserError thrown in an executor arrives wrapped in SparkExceptions: bring it back as it was. */
    static RuntimeException userErrorIn(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UserError u) return u;
        }
        return e;
    }
}
