package dev.portcullis;

import dev.portcullis.internal.net.Cidrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.testing.Hostile;
import inet.ipaddr.IPAddress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of {@link Cidrs#parseBlock} (checklist J52, J54). */
class CidrsProperties {
    @Provide
    Arbitrary<String> cidrs() {
        Arbitrary<String> valid = net.jqwik.api.Combinators.combine(
                ClientAddressProperties.literals(), Arbitraries.integers().between(0, 130))
                .as((a, p) -> a + "/" + p);
        return Arbitraries.oneOf(valid, Hostile.around(valid), ClientAddressProperties.literals());
    }

    @Property(tries = 2000)
    @Label("checklist J54: any text is a prefix block or an IllegalArgumentException, never anything else")
    void blockOrRefusal(@ForAll("cidrs") String cidr) {
        IPAddress block;
        try {
            block = Cidrs.parseBlock(cidr);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            // A refusal names the entry; a near miss suggests a block that parses.
            assertTrue(message.contains(cidr), message);
            // Only a message of the near-miss form carries a suggestion; the entry it echoes may hold
            // any text, "(did you mean " included (found by AddressFuzzTest#cidrBlocks).
            String nearMiss = cidr + " is not a CIDR block (did you mean ";
            if (message.startsWith(nearMiss) && message.endsWith("?)")) {
                String suggestion = message.substring(nearMiss.length(), message.length() - 2);
                assertTrue(Cidrs.parseBlock(suggestion).isPrefixBlock(), suggestion);
            }
            return;
        }
        assertTrue(block.isPrefixBlock(), block::toString);
        assertEquals(block, Cidrs.parseBlock(block.toCanonicalString()));
        if (block.isIPv6()) {
            assertTrue(!((inet.ipaddr.ipv6.IPv6Address) block.getLower()).isIPv4Mapped() || block.getNetworkPrefixLength() < 96);
        }
    }

    @Property
    @Label("checklist J52: a block holds its own addresses, mapped clients included")
    void holdsItsAddresses(@ForAll("quads") String quad, @ForAll("prefixes") int prefix) {
        ClientAddress a = ClientAddress.parse(quad);
        IPAddress block = a.ip().toPrefixBlock(prefix);
        IPAddress parsed = Cidrs.parseBlock(block.toCanonicalString());
        assertTrue(parsed.contains(a.ip()));
        assertTrue(parsed.contains(ClientAddress.parse("::ffff:" + quad).ip()));
        assertEquals(parsed, Cidrs.parseBlock("::ffff:" + block.getLower().withoutPrefixLength() + "/" + (96 + prefix)));
    }

    @Provide
    Arbitrary<String> quads() {
        return Arbitraries.integers().between(0, 255).list().ofSize(4)
                .map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
    }

    @Provide
    Arbitrary<Integer> prefixes() {
        return Arbitraries.integers().between(0, 32);
    }
}
