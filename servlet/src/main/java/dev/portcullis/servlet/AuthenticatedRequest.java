package dev.portcullis.servlet;

import dev.portcullis.Principal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/** The request as the application sees it once Portcullis allowed it: the container's security API answers from the principal. */
final class AuthenticatedRequest extends HttpServletRequestWrapper {
    private final Principal principal;
    private final String authType;

    AuthenticatedRequest(HttpServletRequest request, Principal principal, String authType) {
        super(request);
        this.principal = principal;
        this.authType = authType;
    }

    @Override
    public java.security.Principal getUserPrincipal() {
        return principal;
    }

    /** The key id (the record id of an SMTP login): public, loggable, never the secret. */
    @Override
    public String getRemoteUser() {
        return principal.keyId();
    }

    /** A role is a permission: whether some grant of the principal gives it on any resource. */
    @Override
    public boolean isUserInRole(String role) {
        return role != null && principal.hasPermission(role);
    }

    @Override
    public String getAuthType() {
        return authType;
    }
}
