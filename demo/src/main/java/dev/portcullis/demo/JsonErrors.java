package dev.portcullis.demo;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Jetty's own error answers as the API's: {@code {"message": "<reason phrase>"}} in JSON, whatever
 * the request accepts and whichever its method, with {@code Cache-Control: no-store}. The message is
 * the status's standard reason ("Request Header Fields Too Large", "Bad Request"), never Jetty's
 * text or an exception, so no internal name reaches the wire. One handler for the server (errors
 * before any context: a bad request line, a 431 for headers too large) and one for the servlet
 * context (a servlet's {@code sendError} or exception).
 */
final class JsonErrors {
    private JsonErrors() {}

    static byte[] body(int status) {
        String reason = HttpStatus.getMessage(status);
        try {
            return MailApi.JSON.writeValueAsBytes(Map.of("message", reason == null ? "Error" : reason));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For {@code Server.setErrorHandler}: errors that happen before a request reaches the context. */
    static final class ForServer extends org.eclipse.jetty.server.handler.ErrorHandler {
        ForServer() {
            setCacheControl("no-store");
        }

        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                Callback callback) {
            response.getHeaders().put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8"));
            response.write(true, ByteBuffer.wrap(body(code)), callback);
        }
    }

    /** For the servlet context: {@code sendError} and uncaught exceptions of servlets and filters. */
    static final class ForContext extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
        ForContext() {
            setCacheControl("no-store");
            setShowStacks(false);
        }

        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        protected void generateAcceptableResponse(ServletContextRequest baseRequest, HttpServletRequest request,
                HttpServletResponse response, int code, String message) throws IOException {
            byte[] body = body(code);
            response.setContentType("application/json;charset=utf-8");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }
}
