package dev.portcullis.servlet;

import dev.portcullis.KeySpec;
import dev.portcullis.TrustedProxies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static dev.portcullis.servlet.Fixture.basic;
import static dev.portcullis.servlet.Fixture.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which address the allowlist sees: the socket peer, or behind trusted proxies the rightmost untrusted hop (checklist J). */
class ClientAddressFilterTest {
    private static final String SEND = "/v3/example.com/messages";

    private Fixture f;
    /** A key usable only from 198.51.100.0/24. */
    private String office;

    @BeforeEach
    void start() {
        f = new Fixture();
        office = f.key(KeySpec.builder().account("acme").name("office").grant("messages:send", "example.com").allow("198.51.100.0/24"));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private Jetty jetty(PortcullisFilter filter) throws Exception {
        return Jetty.loopback().filter(filter).servlet("/", new Echo()).start();
    }

    /** Checklist J.55: anyone can write X-Forwarded-For; without trusted proxies the peer is the client. */
    @Test
    void forwardedHeadersFromAnUntrustedPeerAreIgnored() throws Exception {
        for (PortcullisFilter filter : new PortcullisFilter[] {
                f.mailApi().build(),
                f.mailApi().trustedProxies(TrustedProxies.xForwardedFor("10.0.0.0/8")).build(),
                f.mailApi().trustedProxies(TrustedProxies.forwarded("10.0.0.0/8")).build()}) {
            try (Jetty j = jetty(filter)) {
                assertEquals(403, post(j.uri(SEND), "Authorization", basic("api", office), "X-Forwarded-For", "198.51.100.7").statusCode());
                assertEquals(403, post(j.uri(SEND), "Authorization", basic("api", office), "Forwarded", "for=198.51.100.7").statusCode());
            }
        }
    }

    /** Checklist J.55: all header lines are one list, walked from the right, skipping trusted hops; the first untrusted one is the client. */
    @Test
    void behindATrustedProxyTheRightmostUntrustedHopIsTheClient() throws Exception {
        try (Jetty j = jetty(f.mailApi().trustedProxies(TrustedProxies.xForwardedFor("127.0.0.0/8", "10.0.0.0/8")).build())) {
            HttpResponse<String> ok = post(j.uri(SEND), "Authorization", basic("api", office), "X-Forwarded-For", "203.0.113.9, 198.51.100.7, 10.1.2.3");
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains(" client=198.51.100.7 "), ok.body());

            // a client that writes an allowed address on the left gains nothing: the proxy appended its real one
            assertEquals(403, post(j.uri(SEND), "Authorization", basic("api", office), "X-Forwarded-For", "198.51.100.7, 203.0.113.9").statusCode());

            // two header lines are one list
            HttpResponse<String> lines = post(j.uri(SEND), "Authorization", basic("api", office),
                    "X-Forwarded-For", "203.0.113.9", "X-Forwarded-For", "198.51.100.7, 10.9.9.9");
            assertEquals(200, lines.statusCode());
            assertTrue(lines.body().contains(" client=198.51.100.7 "), lines.body());

            // a hop that is no address ends the walk at the nearest trusted proxy, never the bad value
            HttpResponse<String> garbage = post(j.uri(SEND), "Authorization", basic("api", f.sender()), "X-Forwarded-For", "198.51.100.7, unknown");
            assertEquals(200, garbage.statusCode());
            assertTrue(garbage.body().contains(" client=127.0.0.1 "), garbage.body());

            // the other header kind is not read
            assertEquals(403, post(j.uri(SEND), "Authorization", basic("api", office), "Forwarded", "for=198.51.100.7").statusCode());
        }
    }

    /** Checklist J.56: RFC 7239 {@code for=}, IPv6 quoted and bracketed. */
    @Test
    void theForwardedHeaderWhenThatIsTheConfiguredKind() throws Exception {
        String v6 = f.key(KeySpec.builder().account("acme").name("v6 office").grant("messages:send", "example.com").allow("2001:db8::/32"));
        try (Jetty j = jetty(f.mailApi().trustedProxies(TrustedProxies.forwarded("127.0.0.0/8")).build())) {
            HttpResponse<String> r = post(j.uri(SEND), "Authorization", basic("api", v6), "Forwarded", "for=\"[2001:db8:cafe::17]:4711\";proto=https");
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains(" client=2001:db8:cafe::17 "), r.body());
            assertEquals(200, post(j.uri(SEND), "Authorization", basic("api", office), "Forwarded", "for=198.51.100.7").statusCode());
            assertEquals(403, post(j.uri(SEND), "Authorization", basic("api", office), "X-Forwarded-For", "198.51.100.7").statusCode());
        }
    }

    /** Jetty writes the IPv6 peer as {@code [0:0:0:0:0:0:0:1]}; the allowlist matches it as ::1 (checklist J.52, J.53). */
    @Test
    void anIpv6LoopbackClientWithAnIpv6Allowlist() throws Exception {
        String loopback6 = f.key(KeySpec.builder().account("acme").name("v6 loopback").grant("messages:send", "example.com").allow("::1/128"));
        String doc6 = f.key(KeySpec.builder().account("acme").name("v6 elsewhere").grant("messages:send", "example.com").allow("2001:db8::/32"));
        String loopback4 = f.key(KeySpec.builder().account("acme").name("v4 loopback").grant("messages:send", "example.com").allow("127.0.0.0/8"));
        try (Jetty j = Jetty.on("::1").filter(f.mailApi().build()).servlet("/", new Echo()).start()) {
            HttpResponse<String> r = post(j.uri(SEND), "Authorization", basic("api", loopback6));
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains(" client=::1 "), r.body());
            assertEquals(403, post(j.uri(SEND), "Authorization", basic("api", doc6)).statusCode());
            assertEquals(403, post(j.uri(SEND), "Authorization", basic("api", loopback4)).statusCode(), "::1 is not 127.0.0.1");
        }
        // Jetty's bracketed peer is also what the trusted-proxy check reads
        try (Jetty j = Jetty.on("::1").filter(f.mailApi().trustedProxies(TrustedProxies.xForwardedFor("::1/128")).build())
                .servlet("/", new Echo()).start()) {
            HttpResponse<String> r = post(j.uri(SEND), "Authorization", basic("api", office), "X-Forwarded-For", "198.51.100.7");
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains(" client=198.51.100.7 "), r.body());
        }
    }
}
