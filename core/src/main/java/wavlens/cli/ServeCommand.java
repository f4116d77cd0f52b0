package wavlens.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wavlens.report.ReportServer;

/** wavlens serve: the report folder over HTTP on 127.0.0.1, for browsers that block audio from file://. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = {
        "Serve a report folder (index.html, explorer.html, figures, audio) on http://127.0.0.1:PORT/ until Ctrl-C.",
        "Only the loopback interface is bound: the report is not reachable from other machines."})
public final class ServeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REPORT", description = "report folder written by wavlens analyze")
    Path report;

    @Option(names = "--port", defaultValue = "8123", description = "TCP port (default ${DEFAULT-VALUE}; 0 = any free port)")
    int port;

    @Override
    public Integer call() throws InterruptedException {
        ReportServer server = ReportServer.start(report, port);
        System.out.println("serving " + report.toAbsolutePath().normalize() + " at http://127.0.0.1:" + server.port() + "/  (Ctrl-C to stop)");
        System.out.flush();
        new CountDownLatch(1).await(); // serve until the process is interrupted
        return 0;
    }
}
