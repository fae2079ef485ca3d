package dev.portcullis.spring.security;

import dev.portcullis.AuthResult.HttpVerdict;

import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes a Portcullis answer exactly as the servlet filter does. */
final class Verdicts {
    private Verdicts() {}

    static void render(HttpServletResponse response, HttpVerdict v, boolean bearer) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(v.status());
        v.headers().forEach((name, value) ->
                response.setHeader(name, bearer && name.equals("WWW-Authenticate") ? bearerChallenge(value) : value));
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json;charset=utf-8");
        byte[] body = v.jsonBody().getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    /** {@code Bearer realm="…"} with the realm of the core's Basic challenge, as the servlet filter writes it. */
    private static String bearerChallenge(String basic) {
        int from = basic.indexOf("realm=\"");
        int to = from < 0 ? -1 : basic.indexOf('"', from + 7);
        return to < 0 ? "Bearer" : "Bearer " + basic.substring(from, to + 1);
    }
}
