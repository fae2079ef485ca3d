/**
 * Portcullis for Servlet containers: {@link dev.portcullis.servlet.PortcullisFilter}, the GitHub
 * secret-scanning partner endpoint {@link dev.portcullis.servlet.GitHubSecretScanningServlet} and the
 * leak-notice webhook {@link dev.portcullis.servlet.WebhookNotifier}.
 *
 * <p>Both requirements are transitive because the public signatures name their types
 * ({@code Filter}, {@code Authenticator}, {@code TrustedProxies}); the Servlet API is still
 * {@code provided} in Maven terms: the container brings it. Jackson (optional: the application adds
 * jackson-databind to use the two leak-response classes) and the JDK's HTTP client are used inside
 * only, JSON through the tree model, so no class here is opened to reflection.
 */
module dev.portcullis.servlet {
    requires transitive dev.portcullis.core;
    requires transitive jakarta.servlet;
    requires static com.fasterxml.jackson.databind; // optional: only the two leak-response classes use it
    requires java.net.http;

    exports dev.portcullis.servlet;
}
