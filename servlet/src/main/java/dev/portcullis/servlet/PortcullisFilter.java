package dev.portcullis.servlet;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.ClientAddress;
import dev.portcullis.Grant;
import dev.portcullis.AuthResult.HttpVerdict;
import dev.portcullis.Principal;
import dev.portcullis.TrustedProxies;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Authenticates and authorizes every request with a Portcullis {@link Authenticator} before the
 * application sees it. Immutable and thread-safe; register the instance programmatically, e.g.
 * {@code servletContext.addFilter("portcullis", filter).addMappingForUrlPatterns(null, false, "/*")}.
 *
 * <pre>{@code
 * PortcullisFilter filter = PortcullisFilter.builder(portcullis.authenticator())
 *         .route("POST", "/v3/{domain}/messages", "messages:send", "domain")
 *         .route("GET", "/v3/domains", "domains:read")
 *         .permit("GET", "/health")
 *         .build();
 * }</pre>
 *
 * <p><b>Paths.</b> Rules match {@code getServletPath() + getPathInfo()}: the path inside the
 * context, decoded by the container, exactly as it maps servlets. A path that is not canonical
 * (see {@link Builder#route(String, String, String, String) route}) is answered 400 and never
 * reaches a rule or the application, whatever the rules say. A request no rule matches never
 * reaches the application either, unless {@link Builder#permitUnmatched()}: its credentials are
 * checked alone (401 when they fail, as on any rule), and then it is answered 404, or 405 with
 * {@code Allow} when rules of other methods match its path. A rule's route without the grant stays 403.
 *
 * <p><b>Responses.</b> Denials are {@link AuthResult#http()} as it is: 401 with a
 * {@code WWW-Authenticate} challenge, 403, 429 or 503 with {@code Retry-After}, {@code RateLimit}
 * and {@code RateLimit-Policy} when a limit applied, {@code Cache-Control: no-store}, and a body
 * {@code {"message":"…"}} that never says which check failed. An allowed request gets the rate-limit
 * fields and goes on with {@link #PRINCIPAL_ATTRIBUTE} and {@link #RESOURCE_ATTRIBUTE} set, and a
 * request whose {@code getUserPrincipal()} is the {@link Principal}, {@code getRemoteUser()} its key
 * id and {@code isUserInRole(permission)} its grants.
 *
 * <p>Credentials are read from the {@code Authorization} header only, never from the query string
 * or a form; the filter reads no parameter, so the body stays unread for the application.
 */
public final class PortcullisFilter implements Filter {
    /** Request attribute holding the {@link Principal} of an allowed request. */
    public static final String PRINCIPAL_ATTRIBUTE = "dev.portcullis.principal";
    /** Request attribute holding the canonical resource the rule was decided on (e.g. {@code example.com}), when it had one. */
    public static final String RESOURCE_ATTRIBUTE = "dev.portcullis.resource";
    /** Where the filter leaves what {@link #charge} needs: the authenticator that admitted the request. */
    private static final String AUTHENTICATOR_ATTRIBUTE = "dev.portcullis.authenticator";

    private static final HttpVerdict BAD_REQUEST = new HttpVerdict(400, Map.of(), "Bad Request");
    private static final HttpVerdict NOT_FOUND = new HttpVerdict(404, Map.of(), "Not Found");

    private final Authenticator authenticator;
    private final Routes routes;
    private final boolean permitUnmatched;
    private final boolean passOptions;
    private final TrustedProxies proxies;
    private final boolean bearer;

    private PortcullisFilter(Builder b) {
        this.authenticator = b.authenticator;
        this.routes = new Routes(b.routes);
        this.permitUnmatched = b.permitUnmatched;
        this.passOptions = b.passOptions;
        this.proxies = b.proxies != null ? b.proxies : TrustedProxies.none();
        this.bearer = b.bearer;
    }

    /** Starts a filter deciding with {@code authenticator}. */
    public static Builder builder(Authenticator authenticator) {
        return new Builder(Objects.requireNonNull(authenticator, "authenticator"));
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        // Only the client's own request is decided; forwards, includes and error pages were decided with it.
        if (req.getDispatcherType() != DispatcherType.REQUEST
                || !(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        // Both the path as sent and as decoded must be canonical, so that whatever the application
        // routes on (the raw URI or the servlet path) names the path the rules were applied to.
        String[] path = Routes.isPlain(request.getRequestURI()) ? Routes.segments(path(request)) : null;
        if (path == null) {
            render(request, response, BAD_REQUEST);
            return;
        }
        String method = request.getMethod();
        if (passOptions && method.equals("OPTIONS")) {
            chain.doFilter(request, response);
            return;
        }
        Route route = routes.find(method, path);
        if (route == null) {
            if (isSlashVariant(path)) {
                render(request, response, BAD_REQUEST); // "/v3/x/messages/" must not slip past the rule for "/v3/x/messages"
            } else if (permitUnmatched) {
                chain.doFilter(request, response);
            } else {
                unmatched(request, response, path);
            }
            return;
        }
        if (route.permission == null) {
            chain.doFilter(request, response);
            return;
        }

        Enumeration<String> authorization = request.getHeaders("Authorization");
        String credentials = authorization != null && authorization.hasMoreElements() ? authorization.nextElement() : null;
        AuthRequest ask = ask(credentials, authorization, client(request));
        if (route.cost != 1) {
            ask = ask.cost(route.cost);
        }
        String resource = route.resource(path);
        String canonical = null;
        if (resource == null) {
            ask = ask.require(route.permission);
        } else {
            canonical = Grant.canonicalResource(resource);
            // A value that is no resource name is never granted: the credentials are checked alone,
            // and once they hold the answer is 403, as for any resource the key has no grant on.
            ask = canonical != null ? ask.require(route.permission, canonical) : ask;
        }
        AuthResult result = authenticator.authenticate(ask);
        HttpVerdict verdict = result.http();
        if (!result.allowed()) {
            render(request, response, verdict);
            return;
        }
        if (resource != null && canonical == null) {
            render(request, response, NOT_A_RESOURCE);
            return;
        }
        setHeaders(response, verdict);
        Principal principal = result.principal();
        request.setAttribute(PRINCIPAL_ATTRIBUTE, principal);
        request.setAttribute(AUTHENTICATOR_ATTRIBUTE, authenticator);
        if (canonical != null) {
            request.setAttribute(RESOURCE_ATTRIBUTE, canonical);
        }
        chain.doFilter(new AuthenticatedRequest(request, principal, authType(credentials)), response);
    }

    /**
     * The request to decide, from the first {@code Authorization} value and the rest of them:
     * the common single value goes to the core as it is, with no list to build and copy; several
     * go as a list, which the core refuses as malformed.
     */
    private static AuthRequest ask(String first, Enumeration<String> rest, Object client) {
        if (first == null || !rest.hasMoreElements()) {
            return AuthRequest.http(first, client);
        }
        List<String> all = new ArrayList<>();
        all.add(first);
        while (rest.hasMoreElements()) {
            all.add(rest.nextElement());
        }
        return AuthRequest.http(all, client);
    }

    /** The verdict's fields on the response; most allowed requests have none, and then nothing is iterated. */
    private static void setHeaders(HttpServletResponse response, HttpVerdict v) {
        Map<String, String> headers = v.headers();
        if (!headers.isEmpty()) {
            headers.forEach(response::setHeader);
        }
    }

    /**
     * Charges an admitted request {@code cost} once the application knows it (a send to as many
     * recipients as its body names, on a rule declared with {@link Builder#cost cost 0}): the
     * principal is authorized again for the rule's permission on the request's resource and
     * {@code cost} is taken from its rate limits and credits, all or nothing
     * ({@link Authenticator#authorize(Principal, String, String, long)}). When that is refused the
     * answer (429 with {@code RateLimit} fields, or 401/403 if the key changed meanwhile) is written,
     * with nothing taken; when it is paid the {@code RateLimit} fields are updated.
     *
     * @param permission the rule's permission
     * @return {@code true} if paid: go on; {@code false}: the response is written, stop
     * @throws IllegalStateException if this filter did not admit the request
     */
    public static boolean charge(HttpServletRequest request, HttpServletResponse response, String permission, long cost)
            throws IOException {
        Principal principal = (Principal) request.getAttribute(PRINCIPAL_ATTRIBUTE);
        Authenticator authenticator = (Authenticator) request.getAttribute(AUTHENTICATOR_ATTRIBUTE);
        if (principal == null || authenticator == null) {
            throw new IllegalStateException("charge() is for requests a PortcullisFilter admitted");
        }
        String resource = (String) request.getAttribute(RESOURCE_ATTRIBUTE);
        AuthResult r = resource != null ? authenticator.authorize(principal, permission, resource, cost)
                : authenticator.authorize(principal, permission, cost);
        HttpVerdict v = r.http();
        if (!r.allowed()) {
            response.reset();
            writeVerdict(request, response, v, false);
            return false;
        }
        setHeaders(response, v);
        return true;
    }

    /**
     * A request no rule matches: the credentials are checked alone (so a caller without valid
     * credentials learns nothing about the paths, and every credential problem is still the same
     * 401), and once they hold the answer is 405 with {@code Allow} when rules of other methods
     * match the path, 404 when none does. Nothing reaches the application.
     */
    private void unmatched(HttpServletRequest request, HttpServletResponse response, String[] path) throws IOException {
        Enumeration<String> authorization = request.getHeaders("Authorization");
        String credentials = authorization != null && authorization.hasMoreElements() ? authorization.nextElement() : null;
        AuthResult result = authenticator.authenticate(ask(credentials, authorization, client(request)));
        if (!result.allowed()) {
            render(request, response, result.http());
            return;
        }
        List<String> allowed = routes.methods(path);
        if (allowed.isEmpty()) {
            render(request, response, NOT_FOUND);
        } else {
            render(request, response, new HttpVerdict(405, Map.of("Allow", String.join(", ", allowed)), "Method Not Allowed"));
        }
    }

    /** The path inside the context as the container maps it: {@code getServletPath() + getPathInfo()}. */
    private static String path(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        String p = pathInfo == null ? servletPath : servletPath + pathInfo;
        return p.isEmpty() ? "/" : p;
    }

    /** A trailing-slash path whose slash-less form some rule (of any method) matches. */
    private boolean isSlashVariant(String[] path) {
        int n = path.length;
        return n > 0 && path[n - 1].isEmpty() && routes.anyMatches(Arrays.copyOf(path, n - 1));
    }

    /** The client: the socket peer, or behind trusted proxies what {@link ClientAddress#resolve} makes of their header. */
    private Object client(HttpServletRequest request) {
        String peer = request.getRemoteAddr(); // Jetty writes IPv6 as "[0:0:0:0:0:0:0:1]"; the core reads both forms
        String header = proxies.headerName();
        if (header == null) {
            return peer;
        }
        ClientAddress address = ClientAddress.parse(peer);
        return address == null ? peer : ClientAddress.resolve(address, values(request.getHeaders(header)), proxies);
    }

    private static List<String> values(Enumeration<String> e) {
        if (e == null || !e.hasMoreElements()) {
            return List.of();
        }
        String first = e.nextElement();
        if (!e.hasMoreElements()) {
            return Collections.singletonList(first);
        }
        List<String> all = new ArrayList<>();
        all.add(first);
        while (e.hasMoreElements()) {
            all.add(e.nextElement());
        }
        return all;
    }

    /** The scheme of an admitted request's one {@code Authorization} value. */
    private static String authType(String credentials) {
        return credentials == null ? null : credentials.regionMatches(true, 0, "Basic", 0, 5) ? HttpServletRequest.BASIC_AUTH : "BEARER";
    }

    /** The answer to authenticated credentials on a path whose resource cannot be a resource name. */
    private static final HttpVerdict NOT_A_RESOURCE = new HttpVerdict(403, java.util.Map.of(), "Forbidden");

    private void render(HttpServletRequest request, HttpServletResponse response, HttpVerdict v) throws IOException {
        writeVerdict(request, response, v, bearer);
    }

    private static void writeVerdict(HttpServletRequest request, HttpServletResponse response, HttpVerdict v, boolean bearer)
            throws IOException {
        response.setStatus(v.status());
        if (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
            // The body stays unread; say the connection ends with this answer, or a client reusing it
            // may send its next request into a connection the container closes for that body.
            response.setHeader("Connection", "close");
        }
        v.headers().forEach((name, value) ->
                response.setHeader(name, bearer && name.equals("WWW-Authenticate") ? bearerChallenge(value) : value));
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json;charset=utf-8");
        byte[] body = v.jsonBody().getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** {@code Bearer realm="…"} with the realm of the core's Basic challenge; no error attribute, so all failures look alike (RFC 6750 §3). */
    private static String bearerChallenge(String basic) {
        int from = basic.indexOf("realm=\"");
        int to = from < 0 ? -1 : basic.indexOf('"', from + 7);
        return to < 0 ? "Bearer" : "Bearer " + basic.substring(from, to + 1);
    }

    @Override
    public String toString() {
        return "PortcullisFilter[" + routes + (permitUnmatched ? ", unmatched permitted" : "") + ", " + proxies + "]";
    }

    /**
     * Configures a {@link PortcullisFilter}. Rules are added; every other setting may be given once
     * (a second call throws {@link IllegalStateException}).
     */
    public static final class Builder {
        private final Authenticator authenticator;
        private final List<Route> routes = new ArrayList<>();
        private boolean permitUnmatched;
        private boolean passOptions;
        private TrustedProxies proxies;
        private boolean bearer;

        private Builder(Authenticator authenticator) {
            this.authenticator = authenticator;
        }

        /**
         * Requests of {@code method} to {@code template} need {@code permission} on the resource
         * named by the variable {@code resourceVariable}, e.g. {@code route("POST",
         * "/v3/{domain}/messages", "messages:send", "domain")}. The value is canonicalised like a
         * domain (lower case, trailing dot stripped, IDN to ASCII) before the grants see it.
         *
         * <p>A template is a path inside the servlet context: {@code /}, then segments separated by
         * {@code /}, each a literal or a whole-segment variable {@code {name}} that matches exactly one
         * non-empty segment. Literals match case-sensitively, as containers map servlets. A trailing
         * slash is part of the template: {@code /v3/domains/} and {@code /v3/domains} are different
         * rules, and a trailing-slash request whose slash-less form has a rule (of any method) is answered 400.
         * Requests are compared after the container decoded them; a path with an empty segment
         * ({@code //}), a {@code .} or {@code ..} segment, or a {@code ;}, {@code %} (double
         * encoding), backslash or control character is answered 400 before any rule is consulted.
         * When several rules match, the most specific wins: at the first segment where one has a
         * literal and the other a variable, the literal. {@code HEAD} uses the {@code GET} rules
         * unless it has its own.
         *
         * @param method upper case, as sent ({@code GET}, {@code POST}, …)
         * @param permission a concrete {@code noun:verb}
         * @throws IllegalArgumentException if the method, template or permission is malformed, the
         *     variable is not in the template, or a rule for the same method matches the same paths
         */
        public Builder route(String method, String template, String permission, String resourceVariable) {
            Objects.requireNonNull(resourceVariable, "resourceVariable");
            return add(method, template, checkPermission(permission), resourceVariable);
        }

        /**
         * Requests of {@code method} to {@code template} need {@code permission} on some resource: a
         * collection request such as {@code GET /v3/domains}; the application filters with
         * {@link Principal#resourcesFor}. Templates as in {@link #route(String, String, String, String)}.
         */
        public Builder route(String method, String template, String permission) {
            return add(method, template, checkPermission(permission), null);
        }

        /**
         * Charges requests of the rule for {@code method} and {@code template} (declared before)
         * {@code cost} instead of 1 (see {@code AuthRequest.cost}): taken from the key's and the
         * account's rate limits and credits once everything else admitted it. {@code 0} admits
         * without taking anything, for a read that stays free or for a request the application
         * charges itself with {@link PortcullisFilter#charge} once it has read the body.
         *
         * @throws IllegalArgumentException if no such rule was declared, it is public, or the cost is out of range
         */
        public Builder cost(String method, String template, long cost) {
            AuthRequest.http((String) null, null).cost(cost); // the core's own range check
            for (int i = 0; i < routes.size(); i++) {
                Route r = routes.get(i);
                if (r.method.equals(method) && r.template.equals(template) && r.permission != null) {
                    routes.set(i, r.withCost(cost));
                    return this;
                }
            }
            throw new IllegalArgumentException("no rule " + method + " " + template + " with a permission was declared");
        }

        /** Requests of {@code method} to {@code template} need no credentials (health checks, public pages); none are read. */
        public Builder permit(String method, String template) {
            return add(method, template, null, null);
        }

        /**
         * Lets requests that no rule matches through untouched, with no credentials read and no
         * principal. By default their credentials are checked and they are answered 404 (or 405
         * when another method has a rule for the path). Prefer {@link #permit} for the public
         * paths you know; with this, every path you forgot is public.
         */
        public Builder permitUnmatched() {
            if (permitUnmatched) {
                throw new IllegalStateException("permitUnmatched was already set");
            }
            permitUnmatched = true;
            return this;
        }

        /** Lets every {@code OPTIONS} request through without credentials, e.g. for CORS preflights, which carry none. */
        public Builder passOptions() {
            if (passOptions) {
                throw new IllegalStateException("passOptions was already set");
            }
            passOptions = true;
            return this;
        }

        /**
         * Which reverse proxies may name the client; default {@link TrustedProxies#none()}: the socket
         * peer is the client. Do not also enable the container's own forwarded-header handling (Jetty's
         * {@code ForwardedRequestCustomizer}, Tomcat's {@code RemoteIpValve}): it would rewrite the peer
         * this filter starts from, and the proxy check would then apply to an address the client chose.
         */
        public Builder trustedProxies(TrustedProxies proxies) {
            if (this.proxies != null) {
                throw new IllegalStateException("trustedProxies was already set to " + this.proxies);
            }
            this.proxies = Objects.requireNonNull(proxies, "proxies");
            return this;
        }

        /**
         * Challenges with {@code WWW-Authenticate: Bearer realm="…"} instead of Basic, for APIs whose
         * clients send {@code Authorization: Bearer KEY}. The credentials accepted do not change.
         */
        public Builder bearerChallenge() {
            if (bearer) {
                throw new IllegalStateException("bearerChallenge was already set");
            }
            bearer = true;
            return this;
        }

        public PortcullisFilter build() {
            return new PortcullisFilter(this);
        }

        private Builder add(String method, String template, String permission, String resourceVariable) {
            List<Route> with = new ArrayList<>(routes);
            with.add(Route.of(method, template, permission, resourceVariable));
            new Routes(with); // a clash fails here, naming both rules, rather than at build()
            routes.add(with.get(with.size() - 1));
            return this;
        }

        /** The core's own check, so a bad permission fails here and not on the first request. */
        private static String checkPermission(String permission) {
            AuthRequest.http((String) null, null).require(permission);
            return permission;
        }
    }
}
