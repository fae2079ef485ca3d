package dev.portcullis.smtp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.ClientAddress;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * Issue 24, finding 11: one CIDR parser. The PROXY protocol's trusted peers are read and matched
 * by the core's {@link dev.portcullis.TrustedProxies}, as HTTP proxies are (checklist J52): the
 * smtp module's own parser, which read {@code ::ffff:10.0.0.0/8} as 10.0.0.0/8, is gone.
 */
class ProxyPeersTest {

    private static boolean trusted(String cidr, String peer) throws Exception {
        SmtpOptions options = SmtpOptions.builder().startTls(TestTls.server()).proxyProtocolFrom(cidr).build();
        return options.proxies.trusts(ClientAddress.of(InetAddress.getByName(peer))); // literals only: no DNS
    }

    @Test
    void aMappedBlockWiderThanTheMappedRangeIsRefusedAsAProxyBlock() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SmtpOptions.builder().proxyProtocolFrom("::ffff:10.0.0.0/8"));
        assertTrue(e.getMessage().contains("::ffff:10.0.0.0/8"), e.getMessage());
        assertTrue(e.getMessage().contains("is not a CIDR block"), e.getMessage());
    }

    @Test
    void proxyPeersAreMatchedByTheCoresBlocksWithMappedAddressesAsIpv4() throws Exception {
        assertTrue(trusted("::ffff:10.0.0.0/104", "10.1.2.3"), "inside ::ffff:0:0/96, the mapped block is 10.0.0.0/8");
        assertTrue(trusted("::ffff:10.0.0.0/104", "::ffff:10.1.2.3"));
        assertTrue(trusted("10.0.0.0/8", "10.255.1.2"));
        assertFalse(trusted("10.0.0.0/8", "11.0.0.1"));
        assertTrue(trusted("10.0.0.0/8", "::ffff:10.1.2.3"), "J52: the mapped address is the IPv4 one");
        assertTrue(trusted("192.0.2.128/25", "192.0.2.200"));
        assertFalse(trusted("192.0.2.128/25", "192.0.2.127"));
        assertTrue(trusted("0.0.0.0/0", "198.51.100.1"));
        assertFalse(trusted("0.0.0.0/0", "2001:db8::1"), "an IPv4 block never holds IPv6");
        assertTrue(trusted("2001:db8::/32", "2001:db8:ffff::1"));
        assertFalse(trusted("2001:db8::/33", "2001:db8:8000::1"));
        assertTrue(trusted("127.0.0.1", "127.0.0.1"));
        assertFalse(trusted("127.0.0.1", "127.0.0.2"));
    }
}
