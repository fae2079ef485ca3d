package dev.portcullis.servlet;

import dev.portcullis.Principal;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/** The application: says what it was told about the caller, and counts the requests it saw. */
final class Echo extends HttpServlet {
    private static final long serialVersionUID = 1L;
    final transient AtomicInteger calls = new AtomicInteger();

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        calls.incrementAndGet();
        Principal attr = (Principal) req.getAttribute(PortcullisFilter.PRINCIPAL_ATTRIBUTE);
        java.security.Principal user = req.getUserPrincipal();
        res.setContentType("text/plain;charset=utf-8");
        res.getWriter().print("path=" + req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo())
                + " user=" + (user == null ? "-" : user.getName())
                + " remoteUser=" + req.getRemoteUser()
                + " attr=" + (attr == null ? "-" : attr.keyId())
                + " same=" + (attr == user)
                + " send=" + req.isUserInRole("messages:send")
                + " read=" + req.isUserInRole("domains:read")
                + " authType=" + req.getAuthType()
                + " resource=" + req.getAttribute(PortcullisFilter.RESOURCE_ATTRIBUTE)
                + " client=" + (attr == null ? "-" : attr.clientAddress())
                + " text=" + req.getParameter("text"));
    }
}
