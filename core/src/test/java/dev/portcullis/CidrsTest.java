package dev.portcullis;

import dev.portcullis.internal.net.Cidrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inet.ipaddr.IPAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** CIDR blocks from configuration, checklist J52 and the design's "a CIDR that is not a block is rejected". */
class CidrsTest {
    @ParameterizedTest
    @CsvSource({"10.0.0.0/8, 10.0.0.0/8", "0.0.0.0/0, 0.0.0.0/0", "192.0.2.1, 192.0.2.1/32", "192.0.2.1/32, 192.0.2.1/32",
            "2001:db8::/32, 2001:db8::/32", "2001:DB8:0::/48, 2001:db8::/48", "::/0, ::/0", "::1, ::1/128",
            "fe80::/10, fe80::/10"})
    @DisplayName("blocks and bare addresses (/32, /128)")
    void blocks(String cidr, String canonical) {
        IPAddress block = Cidrs.parseBlock(cidr);
        assertTrue(block.isPrefixBlock());
        assertEquals(canonical, block.toCanonicalString());
    }

    @ParameterizedTest
    @CsvSource({"::ffff:10.0.0.0/104, 10.0.0.0/8", "::ffff:0:0/96, 0.0.0.0/0", "::ffff:192.0.2.1, 192.0.2.1/32",
            "::ffff:c000:200/120, 192.0.2.0/24"})
    @DisplayName("checklist J52: blocks inside ::ffff:0:0/96 are the IPv4 blocks they map")
    void mappedBlocks(String cidr, String canonical) {
        IPAddress block = Cidrs.parseBlock(cidr);
        assertTrue(block.isIPv4());
        assertEquals(canonical, block.toCanonicalString());
        assertTrue(block.contains(ClientAddress.parse(canonical.substring(0, canonical.indexOf('/'))).ip()));
    }

    @Test
    @DisplayName("checklist J52: ::192.0.2.0/120 and ::/0 stay IPv6 and so hold no IPv4 client")
    void unmappedIPv6Blocks() {
        assertFalse(Cidrs.parseBlock("::/0").contains(ClientAddress.parse("::ffff:192.0.2.1").ip()));
        assertFalse(Cidrs.parseBlock("::192.0.2.0/120").contains(ClientAddress.parse("192.0.2.1").ip()));
    }

    @ParameterizedTest
    @CsvSource({"10.1.2.3/8, 10.0.0.0/8", "192.0.2.1/24, 192.0.2.0/24", "2001:db8::1/32, 2001:db8::/32",
            "::ffff:10.1.2.3/104, ::ffff:a00:0/104", "::ffff:10.0.0.0/64, ::/64"})
    @DisplayName("a CIDR with bits past the prefix is not a block, and the message says what was meant")
    void notABlock(String cidr, String meant) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidrs.parseBlock(cidr));
        assertEquals(cidr + " is not a CIDR block (did you mean " + meant + "?)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/08", "10.0.0.0/-1", "10.0.0.0/+8",
            "10.0.0.0/8/8", "10.0.0.0 /8", "10.0.0.0/8 ", " 10.0.0.0/8", "10.0/8", "010.0.0.0/8", "10.0.0.0/0x8",
            "[::1]/128", "fe80::%eth0/64", "10.0.0.0/\uFF18", "10.0.0.0/1000", "10.0.0.0/255.0.0.0", "*", "10.*.0.0/16"})
    @DisplayName("checklist J54: only strict literals with a plain decimal prefix, and the message names the entry")
    void malformed(String cidr) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidrs.parseBlock(cidr));
        assertTrue(e.getMessage().contains("\"" + cidr + "\""), e.getMessage());
    }
}
