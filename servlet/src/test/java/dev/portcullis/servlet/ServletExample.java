package dev.portcullis.servlet;

import dev.portcullis.Authenticator;
import dev.portcullis.Principal;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumSet;

/** The code of docs/integration-servlet.md, compiled and run by {@link DocsTest}: the regions between the markers are the doc's text. */
final class ServletExample {
    private ServletExample() {}

    // doc:filter
    static PortcullisFilter filter(Authenticator authenticator) {
        return PortcullisFilter.builder(authenticator)
                .route("POST", "/v3/{domain}/messages", "messages:send", "domain")
                .route("GET", "/v3/domains", "domains:read")
                .permit("GET", "/health")
                .build();
    }
    // doc:end

    // doc:jetty
    static Server start(Authenticator authenticator, int port) throws Exception {
        ServletContextHandler context = new ServletContextHandler("/");
        context.addFilter(filter(authenticator), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new SendServlet(), "/v3/*");
        context.addServlet(new HealthServlet(), "/health");
        Server server = new Server(new InetSocketAddress("127.0.0.1", port));
        server.setHandler(context);
        server.start();
        return server;
    }

    static final class SendServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
            Principal who = (Principal) req.getUserPrincipal();                      // also the PRINCIPAL_ATTRIBUTE
            String domain = (String) req.getAttribute(PortcullisFilter.RESOURCE_ATTRIBUTE); // canonical: "example.com"
            res.setContentType("application/json");
            res.getWriter().print("{\"message\":\"Queued\",\"domain\":\"" + domain + "\",\"account\":\"" + who.account() + "\"}");
        }
    }

    static final class HealthServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            res.setContentType("application/json");
            res.getWriter().print("{\"message\":\"OK\"}");
        }
    }
    // doc:end

    // doc:listener
    /** For a WAR: register the filter instance from a listener (a filter named in web.xml cannot be built). */
    static final class PortcullisSetup implements ServletContextListener {
        private final Authenticator authenticator;

        PortcullisSetup(Authenticator authenticator) {
            this.authenticator = authenticator;
        }

        @Override
        public void contextInitialized(ServletContextEvent event) {
            event.getServletContext().addFilter("portcullis", filter(authenticator))
                    .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        }
    }
    // doc:end
}
