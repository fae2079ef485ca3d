package dev.portcullis.smtp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The trusted-peer blocks of the PROXY protocol, matched on bytes (checklist J52). */
class CidrTest {
    private static boolean in(String cidr, String address) throws Exception {
        return Cidr.parse(cidr).contains(InetAddress.getByName(address)); // literals only: no DNS
    }

    @Test
    void matchesOnBytesWithMappedAddressesAsIpv4() throws Exception {
        assertTrue(in("10.0.0.0/8", "10.255.1.2"));
        assertFalse(in("10.0.0.0/8", "11.0.0.1"));
        assertTrue(in("10.0.0.0/8", "::ffff:10.1.2.3"), "J52: the mapped address is the IPv4 one");
        assertTrue(in("192.0.2.128/25", "192.0.2.200"));
        assertFalse(in("192.0.2.128/25", "192.0.2.127"));
        assertTrue(in("0.0.0.0/0", "198.51.100.1"));
        assertFalse(in("0.0.0.0/0", "2001:db8::1"), "an IPv4 block never holds IPv6");
        assertTrue(in("2001:db8::/32", "2001:db8:ffff::1"));
        assertFalse(in("2001:db8::/33", "2001:db8:8000::1"));
        assertTrue(in("127.0.0.1", "127.0.0.1"));
        assertFalse(in("127.0.0.1", "127.0.0.2"));
    }
}
