package dev.portcullis.servlet;

import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;
import dev.portcullis.spi.CredentialStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumSet;

/**
 * The benchmark's servers (not a test): a hello servlet on two Jetty 12 servers on 127.0.0.1,
 * one bare and one behind the filter with a cached key, same thread pool and servlet. Writes the
 * ports and a run-time key's header to the file named by the first argument, for
 * {@code servlet/bench/hello.sh}, then serves until killed. See docs/benchmarks.md#servlet-filter-issues-9-30.
 */
public final class HelloBench {
    private HelloBench() {}

    static final class Hello extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private static final byte[] BODY = "Hello\n".getBytes(StandardCharsets.US_ASCII);

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            res.setContentType("text/plain");
            res.setContentLength(BODY.length);
            res.getOutputStream().write(BODY);
        }
    }

    public static void main(String[] args) throws Exception {
        Portcullis portcullis = Portcullis.builder().store(CredentialStore.inMemory()).keyFormat(KeyFormat.withPrefix("kat")).build();
        String token = portcullis.keys().create(KeySpec.builder().account("bench").name("bench")
                .grant("messages:send", "example.com").build()).token();
        PortcullisFilter filter = PortcullisFilter.builder(portcullis.authenticator())
                .route("GET", "/hello/{domain}", "messages:send", "domain")
                .build();
        ServerConnector plain = server(null);
        ServerConnector filtered = server(filter);
        String header = "Basic " + Base64.getEncoder().encodeToString(("api:" + token).getBytes(StandardCharsets.US_ASCII));
        Path out = Path.of(args[0]);
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.writeString(tmp, "PLAIN_PORT=" + plain.getLocalPort() + "\nFILTERED_PORT=" + filtered.getLocalPort()
                + "\nAUTH='" + header + "'\n");
        Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }

    private static ServerConnector server(PortcullisFilter filter) throws Exception {
        Server server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        ServletContextHandler ctx = new ServletContextHandler("/");
        if (filter != null) {
            ctx.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        ctx.addServlet(new Hello(), "/hello/*");
        server.setHandler(ctx);
        server.start();
        return c;
    }
}
