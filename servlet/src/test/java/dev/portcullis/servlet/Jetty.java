package dev.portcullis.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.net.URI;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** A real Jetty 12 on a loopback port chosen by the OS, with one filter on {@code /*} and some servlets. Start failures propagate: a test never skips. */
final class Jetty implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final String host;

    private Jetty(Server server, ServerConnector connector, String host) {
        this.server = server;
        this.connector = connector;
        this.host = host;
    }

    static Builder on(String host) {
        return new Builder(host);
    }

    static Builder loopback() {
        return on("127.0.0.1");
    }

    URI uri(String rawPathAndQuery) {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return URI.create("http://" + h + ":" + connector.getLocalPort() + rawPathAndQuery);
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Jetty did not stop", e);
        }
    }

    static final class Builder {
        private final String host;
        private Filter filter;
        private EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST);
        private final Map<String, HttpServlet> servlets = new LinkedHashMap<>();
        private boolean lenient;

        private Builder(String host) {
            this.host = host;
        }

        Builder filter(Filter filter) {
            this.filter = filter;
            return this;
        }

        /** Maps the filter on these dispatcher types too; it must still decide REQUEST dispatches only. */
        Builder dispatches(EnumSet<DispatcherType> types) {
            this.dispatches = types;
            return this;
        }

        Builder servlet(String mapping, HttpServlet servlet) {
            servlets.put(mapping, servlet);
            return this;
        }

        /**
         * A container that lets everything through to the application: UNSAFE URI compliance and
         * ambiguous URIs decoded. Shows the filter's own path checks, not Jetty's.
         */
        Builder lenient() {
            this.lenient = true;
            return this;
        }

        Jetty start() throws Exception {
            Server server = new Server();
            HttpConfiguration config = new HttpConfiguration();
            if (lenient) {
                config.setUriCompliance(UriCompliance.UNSAFE);
            }
            ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(config));
            c.setHost(host);
            c.setPort(0);
            server.addConnector(c);
            ServletContextHandler ctx = new ServletContextHandler("/");
            if (lenient) {
                ctx.getServletHandler().setDecodeAmbiguousURIs(true);
            }
            if (filter != null) {
                ctx.addFilter(filter, "/*", dispatches);
            }
            servlets.forEach((mapping, s) -> ctx.addServlet(s, mapping));
            server.setHandler(ctx);
            try {
                server.start();
            } catch (Exception e) {
                server.stop();
                throw e;
            }
            return new Jetty(server, c, host);
        }
    }
}
