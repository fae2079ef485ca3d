package dev.portcullis.servlet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.AuthResult.HttpVerdict;
import dev.portcullis.Principal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The code of docs/integration-gateway.md, compiled and run by {@link DocsTest}: the regions between the markers are the doc's text. */
final class GatewayExample {
    private GatewayExample() {}

    // doc:handler
    /** Lets a request on to {@code next} only if Portcullis allows it; answers the denial itself. */
    static final class Authenticating implements HttpHandler {
        // The raw path, matched strictly: no decoding, one lower-case segment for the domain.
        private static final Pattern SEND = Pattern.compile("/v3/([a-z0-9][a-z0-9.-]{0,252})/messages");

        private final Authenticator authenticator;
        private final HttpHandler next;

        Authenticating(Authenticator authenticator, HttpHandler next) {
            this.authenticator = authenticator;
            this.next = next;
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            Matcher m = SEND.matcher(exchange.getRequestURI().getRawPath());
            if (!exchange.getRequestMethod().equals("POST") || !m.matches()) {
                respond(exchange, new HttpVerdict(404, java.util.Map.of(), "Not Found"));
                return;
            }
            List<String> authorization = exchange.getRequestHeaders().get("Authorization"); // null if absent
            InetAddress peer = exchange.getRemoteAddress().getAddress();                     // the socket peer, no proxy header
            AuthResult result = authenticator.authenticate(
                    AuthRequest.http(authorization, peer).require("messages:send", m.group(1)));
            if (!result.allowed()) {
                respond(exchange, result.http());  // 401/403/429/503, challenge, Retry-After; never the reason
                return;
            }
            result.http().headers().forEach(exchange.getResponseHeaders()::set); // RateLimit, RateLimit-Policy
            exchange.setAttribute("portcullis.principal", result.principal());
            next.handle(exchange);
        }

        private static void respond(HttpExchange exchange, HttpVerdict verdict) throws IOException {
            byte[] body = verdict.jsonBody().getBytes(StandardCharsets.UTF_8);
            verdict.headers().forEach(exchange.getResponseHeaders()::set);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(verdict.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
    // doc:end

    // doc:server
    static HttpServer start(Authenticator authenticator, int port) throws IOException {
        HttpHandler sendMessage = exchange -> {
            Principal who = (Principal) exchange.getAttribute("portcullis.principal");
            byte[] body = ("{\"message\":\"Queued\",\"key\":\"" + who.keyId() + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        };
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/v3/", new Authenticating(authenticator, sendMessage));
        server.start();
        return server;
    }
    // doc:end
}
