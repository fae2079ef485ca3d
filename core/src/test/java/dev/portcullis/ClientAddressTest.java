package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Strict client address literals, checklist J52-J54. */
class ClientAddressTest {
    @ParameterizedTest
    @ValueSource(strings = {"::ffff:192.0.2.1", "::FFFF:c000:0201", "0:0:0:0:0:ffff:192.0.2.1", "0:0:0:0:0:FFFF:C000:201",
            "0000:0000:0000:0000:0000:ffff:c000:0201", "[::ffff:192.0.2.1]", "::ffff:192.0.2.1%eth0"})
    @DisplayName("checklist J52: IPv4-mapped IPv6, in any spelling, is the IPv4 address")
    void mapped(String literal) {
        ClientAddress a = ClientAddress.parse(literal);
        assertTrue(a.isIPv4());
        assertEquals("192.0.2.1", a.toString());
        assertEquals(ClientAddress.parse("192.0.2.1"), a);
    }

    @ParameterizedTest
    @CsvSource({"::192.0.2.1, ::c000:201", "::ffff:0:192.0.2.1, ::ffff:0:c000:201", "64:ff9b::192.0.2.1, 64:ff9b::c000:201"})
    @DisplayName("checklist J52: other IPv6 forms embedding IPv4 stay IPv6")
    void embeddedStaysIPv6(String literal, String canonical) {
        ClientAddress a = ClientAddress.parse(literal);
        assertFalse(a.isIPv4());
        assertEquals(canonical, a.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fe80::1%eth0", "fe80::1%1", "[fe80::1%en0]", "fe80:0:0:0:0:0:0:1%wlp2s0.5"})
    @DisplayName("checklist J53: a zone id is dropped")
    void zone(String literal) {
        assertEquals("fe80::1", ClientAddress.parse(literal).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "192.168.1", "3221225985", "010.1.2.3", "192.0.2.01", "0x7f.1", "0x7f000001", "127.1",
            "1.2.3.256", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4\n", "1.2.3.-4", "+1.2.3.4",
            "1.2.3.4:80", "[1.2.3.4]", "1.2.3.4%eth0", "localhost", "example.com", "\uFF11.\uFF12.\uFF13.\uFF14",
            "1.2.3.\u0664", "::g", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", ":::", ":1::", "1:::", "12345::",
            "::1.2.3", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:010.1.2.3", "[::1", "::1]", "[[::1]]", "fe80::1%",
            "fe80::1%eth 0", "fe80::1%eth%0", "fe80::1%\u0435th0", "::1/128", "*", "::\u0430", "[]", "[", "%", "0:0:0:0:0:0:0:0:0"})
    @DisplayName("checklist J54: no inet_aton, octal, hex, partial, padded or look-alike forms, no DNS names")
    void refused(String literal) {
        assertNull(ClientAddress.parse(literal), literal);
    }

    @Test
    @DisplayName("null is no address, not an exception")
    void nullLiteral() {
        assertNull(ClientAddress.parse(null));
    }

    @ParameterizedTest
    @CsvSource({"0.0.0.0, 0.0.0.0", "255.255.255.255, 255.255.255.255", "192.0.2.1, 192.0.2.1", "10.0.0.10, 10.0.0.10",
            "::, ::", "::1, ::1", "[::1], ::1", "[0:0:0:0:0:0:0:1], ::1", "1::, 1::", "2001:DB8::1, 2001:db8::1",
            "2001:0db8:0000:0000:0000:ff00:0042:8329, 2001:db8::ff00:42:8329", "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
            "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4, 1:2:3:4:5:6:102:304"})
    @DisplayName("checklist J54: dotted quads and RFC 4291 text, shown canonically")
    void accepted(String literal, String canonical) {
        assertEquals(canonical, ClientAddress.parse(literal).toString());
    }

    @Test
    @DisplayName("checklist J52/J53: socket peers, mapped Inet6Address to IPv4, scope id dropped")
    void ofInetAddress() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 192, 0, 2, 1};
        assertEquals("192.0.2.1", ClientAddress.of(Inet6Address.getByAddress(null, mapped, -1)).toString());
        assertEquals("192.0.2.1", ClientAddress.of(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1})).toString());
        byte[] linkLocal = {(byte) 0xFE, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        ClientAddress scoped = ClientAddress.of(Inet6Address.getByAddress(null, linkLocal, 3));
        assertEquals(ClientAddress.parse("fe80::1%3"), scoped);
        assertEquals("fe80::1", scoped.toString());
    }

    @Test
    @DisplayName("toInetAddress gives the JDK address without any lookup")
    void toInetAddress() {
        assertInstanceOf(Inet4Address.class, ClientAddress.parse("::ffff:192.0.2.1").toInetAddress());
        assertEquals("/192.0.2.1", ClientAddress.parse("192.0.2.1").toInetAddress().toString());
        InetAddress v6 = ClientAddress.parse("2001:db8::1").toInetAddress();
        assertInstanceOf(Inet6Address.class, v6);
        assertEquals(ClientAddress.parse("2001:db8::1"), ClientAddress.of(v6));
    }

    @Test
    @DisplayName("equality is by address")
    void equality() {
        assertEquals(ClientAddress.parse("2001:db8::1"), ClientAddress.parse("2001:0DB8:0:0::1"));
        assertEquals(ClientAddress.parse("2001:db8::1").hashCode(), ClientAddress.parse("2001:0DB8:0:0::1").hashCode());
        assertNotEquals(ClientAddress.parse("::192.0.2.1"), ClientAddress.parse("192.0.2.1"));
        assertNotEquals(ClientAddress.parse("0.0.0.0"), ClientAddress.parse("::"));
    }
}
