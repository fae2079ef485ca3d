/**
 * Portcullis for Servlet containers: {@link dev.portcullis.servlet.PortcullisFilter}.
 *
 * <p>Both requirements are transitive because the filter's public signatures name their types
 * ({@code Filter}, {@code Authenticator}, {@code TrustedProxies}); the Servlet API is still
 * {@code provided} in Maven terms: the container brings it.
 */
module dev.portcullis.servlet {
    requires transitive dev.portcullis.core;
    requires transitive jakarta.servlet;

    exports dev.portcullis.servlet;
}
