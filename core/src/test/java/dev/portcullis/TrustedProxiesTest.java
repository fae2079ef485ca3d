package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Resolving the client behind reverse proxies, checklist J55 (X-Forwarded-For) and J56 (Forwarded). */
class TrustedProxiesTest {
    private static final TrustedProxies XFF = TrustedProxies.xForwardedFor("10.0.0.0/8", "2001:db8:cafe::/48");
    private static final TrustedProxies FORWARDED = TrustedProxies.forwarded("10.0.0.0/8", "2001:db8:cafe::/48");
    private static final ClientAddress PROXY = ClientAddress.parse("10.0.0.1");

    private static String resolve(TrustedProxies trusted, ClientAddress peer, String... values) {
        return ClientAddress.resolve(peer, List.of(values), trusted).toString();
    }

    @Test
    @DisplayName("checklist J55: without trusted proxies the peer is the client")
    void none() {
        assertEquals("10.0.0.1", resolve(TrustedProxies.none(), PROXY, "198.51.100.7"));
        assertNull(TrustedProxies.none().headerName());
        assertEquals("X-Forwarded-For", XFF.headerName());
        assertEquals("Forwarded", FORWARDED.headerName());
    }

    @Test
    @DisplayName("checklist J55: XFF from an untrusted peer is ignored")
    void spoofedFromUntrustedPeer() {
        ClientAddress attacker = ClientAddress.parse("198.51.100.66");
        assertEquals("198.51.100.66", resolve(XFF, attacker, "10.0.0.2"));
        assertEquals("198.51.100.66", resolve(FORWARDED, attacker, "for=10.0.0.2"));
        assertEquals("198.51.100.66", ClientAddress.resolve(attacker, null, XFF).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "203.0.113.9|203.0.113.9",
            "203.0.113.9, 10.0.0.3, 10.0.0.2|203.0.113.9",
            "1.1.1.1, 203.0.113.9, 10.0.0.3|203.0.113.9",
            "10.6.6.6, 203.0.113.9, 10.0.0.3|203.0.113.9",
            "10.0.0.5, 10.0.0.4|10.0.0.5",
            "' 203.0.113.9 ,\t10.0.0.2 '|203.0.113.9",
            "203.0.113.9,,10.0.0.2,|203.0.113.9",
            "''|10.0.0.1",
            "::ffff:203.0.113.9|203.0.113.9",
            "2001:db8::77, 2001:db8:cafe::1|2001:db8::77"})
    @DisplayName("checklist J55: walk from the right, skip trusted hops, the first untrusted address is the client")
    void rightmostUntrusted(String header, String client) {
        assertEquals(client, resolve(XFF, PROXY, header));
    }

    @Test
    @DisplayName("checklist J55: several header values are one list")
    void severalValues() {
        assertEquals("203.0.113.9", resolve(XFF, PROXY, "6.6.6.6, 203.0.113.9", "10.0.0.3", "10.0.0.2"));
        assertEquals("10.0.0.3", resolve(XFF, PROXY, "unknown", "10.0.0.3", "10.0.0.2"));
        assertEquals("10.0.0.1", ClientAddress.resolve(PROXY, Collections.singletonList(null), XFF).toString());
    }

    @Test
    @DisplayName("checklist J55: IPv6 proxies, and an IPv6 peer from Jetty's bracketed text or an InetAddress")
    void ipv6Proxies() throws Exception {
        ClientAddress peer = ClientAddress.parse("[2001:db8:cafe::2]");
        assertEquals("2001:db8::77", resolve(XFF, peer, "2001:db8::77, 2001:db8:cafe::1"));
        assertEquals("192.0.2.5", resolve(XFF, peer, "192.0.2.5"));
        InetAddress inet = InetAddress.getByAddress(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, (byte) 0xca, (byte) 0xfe, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
        assertEquals("192.0.2.5", ClientAddress.resolve(inet, List.of("192.0.2.5"), XFF).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"unknown", "_hidden", "203.0.113.9:4711", "[203.0.113.9]", "203.0.113.09", "203.0.113", "evil.example",
            "\uFF12\uFF10\uFF13.0.113.9", "203.0.113.9 203.0.113.8", "\"203.0.113.9\""})
    @DisplayName("checklist J55/J56: a hop that is not an address ends the walk at the nearest trusted proxy, never the bad value")
    void badHop(String hop) {
        assertEquals("10.0.0.3", resolve(XFF, PROXY, "198.51.100.1, " + hop + ", 10.0.0.3"));
        assertEquals("10.0.0.1", resolve(XFF, PROXY, hop));
    }

    @Test
    @DisplayName("checklist J55: the walk is bounded: after 64 hops the nearest trusted proxy examined is the client")
    void hopCap() {
        String chain = "203.0.113.9, " + "10.0.0.9, ".repeat(70) + "10.0.0.2";
        assertEquals("10.0.0.9", resolve(XFF, PROXY, chain));
        String shortChain = "203.0.113.9, " + "10.0.0.9, ".repeat(62) + "10.0.0.2";
        assertEquals("203.0.113.9", resolve(XFF, PROXY, shortChain));
        // So is each element: one longer than 512 chars is not read.
        assertEquals("10.0.0.2", resolve(XFF, PROXY, "203.0.113.9," + " ".repeat(600) + ", 10.0.0.2"));
        assertEquals("10.0.0.1", resolve(XFF, PROXY, "203.0.113.9, " + " ".repeat(600) + "10.0.0.2"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "for=192.0.2.60;proto=http;by=203.0.113.43|192.0.2.60",
            "for=192.0.2.43, for=198.51.100.17;by=10.0.0.1;proto=http;host=example.com|198.51.100.17",
            "For=\"[2001:db8:cafe::17]:4711\"|2001:db8:cafe::17",
            "for=\"[2001:db8::17]:4711\", for=10.0.0.2|2001:db8::17",
            "FOR=192.0.2.60:4711|192.0.2.60",
            "for=\"192.0.2.60:_obf-port\"|192.0.2.60",
            "for=\"[2001:db8::17]\"|2001:db8::17",
            "proto=https; for=192.0.2.60 ;by=_proxy|192.0.2.60",
            "for=192.0.2.43;host=\"a,b;c\", for=10.0.0.2|192.0.2.43",
            "for=192.0.2.43, for=unknown|10.0.0.1",
            "for=192.0.2.43, for=_hidden, for=10.0.0.2|10.0.0.2",
            "for=192.0.2.43, for=\"_x\"|10.0.0.1",
            "for=192.0.2.43, proto=https|10.0.0.1",
            "for=192.0.2.43, for=192.0.2.44;for=192.0.2.45|10.0.0.1",
            "for=[2001:db8::17]:4711|2001:db8::17",
            "for=2001:db8::17|10.0.0.1",
            "for=\"[2001:db8::17]:123456\"|10.0.0.1",
            "for=\"[2001:db8::17\"|10.0.0.1",
            "for=\"192.0.2.60|10.0.0.1",
            "for=|10.0.0.1",
            "for=\"\"|10.0.0.1"})
    @DisplayName("checklist J56: Forwarded for= nodes: quoted, bracketed IPv6, ports, unknown and _hidden end the walk")
    void forwarded(String header, String client) {
        assertEquals(client, resolve(FORWARDED, PROXY, header));
    }

    @Test
    @DisplayName("the header kind is configuration: XFF text is not read as Forwarded, nor the reverse")
    void headerKind() {
        assertEquals("10.0.0.1", resolve(FORWARDED, PROXY, "203.0.113.9"));
        assertEquals("10.0.0.1", resolve(XFF, PROXY, "for=203.0.113.9"));
    }

    @Test
    @DisplayName("checklist J54: proxy CIDRs are strict blocks, and a bad one is named")
    void strictConfiguration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrustedProxies.xForwardedFor("10.0.0.0/8", "10.1.2.3/8"));
        assertEquals("10.1.2.3/8 is not a CIDR block (did you mean 10.0.0.0/8?)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrustedProxies.forwarded("localhost"));
        assertThrows(NullPointerException.class, () -> TrustedProxies.forwarded((String) null));
        assertTrue(XFF.toString().contains("10.0.0.0/8"));
    }
}
