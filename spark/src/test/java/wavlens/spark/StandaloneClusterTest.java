package wavlens.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.cli.Main;

/**
 * A real standalone cluster on 127.0.0.1 — a Master and two Workers started here as their own JVMs
 * from the Spark jars Maven resolved (no Spark download) — runs spark extract; one Worker's process
 * and its executor are killed once the first shard is in. The job must still finish, and its store,
 * compacted, must be byte for byte what single-machine `wavlens extract` writes.
 */
class StandaloneClusterTest {
    /** What Spark needs opened on Java 17+ (the pom's spark.jvm.flags, which surefire passes to this JVM too). */
    static final List<String> FLAGS = List.of("-XX:+IgnoreUnrecognizedVMOptions", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED", "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false", "-Dio.netty.tryReflectionSetAccessible=true");

    @Test
    void killingAWorkerMidJobStillGivesTheUndisturbedStore(@TempDir Path tmp) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // SPARK_HOME for the Workers: they build each executor's class path from SPARK_HOME/jars (Spark's launcher, WorkerCommandBuilder)
        Path home = Files.createDirectories(tmp.resolve("spark-home/jars"));
        for (String e : classPath.split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (e.endsWith(".jar") && Files.isRegularFile(p) && !Files.exists(home.resolve(p.getFileName()))) {
                Files.createSymbolicLink(home.resolve(p.getFileName()), p.toAbsolutePath());
            }
        }
        List<Process> processes = new ArrayList<>();
        try {
            int port = freePort();
            String master = "spark://127.0.0.1:" + port;
            processes.add(start(tmp, "master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", Integer.toString(port),
                    "--webui-port", Integer.toString(freePort())));
            waitForPort(port, 120);
            Process w1 = start(tmp, "worker1", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1", "--memory", "1g",
                    "--work-dir", tmp.resolve("work1").toString(), "--webui-port", Integer.toString(freePort()), master);
            Process w2 = start(tmp, "worker2", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1", "--memory", "1g",
                    "--work-dir", tmp.resolve("work2").toString(), "--webui-port", Integer.toString(freePort()), master);
            processes.add(w1);
            processes.add(w2);
            waitForLog(tmp.resolve("worker1.log"), "Successfully registered with master", 120);
            waitForLog(tmp.resolve("worker2.log"), "Successfully registered with master", 120);

            Path corpus = TestCorpus.make(tmp.resolve("corpus"), 7);
            Path out = tmp.resolve("store");
            // the driver's context, made here so the test can watch it (the command takes it over: getOrCreate)
            SparkContext sc = SparkContext.getOrCreate(new SparkConf().setMaster(master).setAppName("wavlens-cluster-test")
                    .set("spark.executor.extraClassPath", classPath).set("spark.executor.memory", "512m").set("spark.ui.enabled", "false")
                    .set("spark.executor.extraJavaOptions", "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"));
            AtomicInteger removed = new AtomicInteger(), lostTasks = new AtomicInteger();
            sc.addSparkListener(new SparkListener() {
                @Override
                public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
                    removed.incrementAndGet();
                }

                @Override
                public void onTaskEnd(SparkListenerTaskEnd e) {
                    if (!e.taskInfo().successful()) lostTasks.incrementAndGet();
                }
            });
            CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> SparkMain.execute("extract", "--master", master,
                    "--model", SparkExtractTest.MODEL, "--corpus", corpus.toString(), "--out", out.toString(), "--max-frames", "30", "--seed", "3",
                    "--shard-utterances", "1", "--conf", "spark.executor.extraClassPath=" + classPath, "--conf", "spark.executor.memory=512m",
                    "--conf", "spark.ui.enabled=false"));
            // once the first shard is committed, kill worker 2 and its executor (SIGKILL: no goodbye to the master)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (committed(out) < 1) {
                assertFalse(job.isDone(), "the job ended before any shard was seen");
                assertTrue(System.nanoTime() < deadline, "no shard committed within 240 s");
                Thread.sleep(200);
            }
            List<ProcessHandle> executors = w2.descendants().toList();
            w2.destroyForcibly();
            executors.forEach(ProcessHandle::destroyForcibly);
            int atKill = committed(out);
            assertTrue(atKill < 8, "killed while shards were still to do (" + atKill + " of 8 committed)");
            assertEquals(0, job.get(300, TimeUnit.SECONDS));
            assertFalse(w2.isAlive());
            assertTrue(removed.get() >= 1, "the driver saw the killed executor go");
            System.out.println("cluster test: " + atKill + " of 8 shards committed at the kill, " + lostTasks.get() + " task(s) lost and rerun");

            Path single = tmp.resolve("single"), compact = tmp.resolve("compact");
            List<String> ex = new ArrayList<>(List.of("extract"));
            ex.addAll(List.of(SparkExtractTest.extractArgs(corpus, single)));
            assertEquals(0, Main.execute(ex.toArray(String[]::new)));
            assertEquals(0, Main.execute("store", "compact", out.toString(), "--out", compact.toString()));
            Map<String, byte[]> want = TestCorpus.files(single), got = TestCorpus.files(compact);
            assertEquals(want.keySet(), got.keySet());
            for (String f : want.keySet()) assertArrayEquals(want.get(f), got.get(f), f + " differs from the undisturbed single-machine store");
            assertFalse(Files.exists(out.resolve("shards/_attempts")), "no attempt folder left");
        } finally {
            for (Process p : processes) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            for (Process p : processes) p.waitFor(30, TimeUnit.SECONDS);
            try (var s = Files.list(home)) {   // the links, not what they point to (JUnit would warn)
                for (Path link : s.toList()) Files.delete(link);
            }
        }
    }

    static Process start(Path tmp, String name, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(FLAGS);
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(tmp.resolve("spark-home/jars").toString() + "/*");
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", tmp.resolve("spark-home").toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    static int committed(Path store) {
        Path shards = store.resolve("shards");
        if (!Files.isDirectory(shards)) return 0;
        try (var s = Files.list(shards)) {
            return (int) s.filter(p -> p.getFileName().toString().startsWith("part-") && Files.exists(p.resolve("store.json"))).count();
        } catch (IOException e) {
            return 0;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void waitForPort(int port, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                Thread.sleep(300);
            }
        }
        fail("the master did not listen on " + port + " within " + seconds + " s");
    }

    static void waitForLog(Path log, String text, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) return;
            Thread.sleep(300);
        }
        fail(log + " did not say \"" + text + "\" within " + seconds + " s:\n" + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }
}
