package dev.portcullis.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.portcullis.KeyFormat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The two small parsers of the demo's leak endpoints: the key in an Authorization value, and the client network. */
class LeakEndpointsProperties {
    private static final KeyFormat PC = KeyFormat.withPrefix("pc");

    private static String basic(String pair) {
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 300)
    void theKeyIsFoundInEveryFormTheAuthenticatorAccepts(@ForAll @IntRange(min = 0, max = 3) int form) {
        String key = PC.newToken(); // made now: no key-shaped literal in the repository
        String header = switch (form) {
            case 0 -> "Bearer " + key;
            case 1 -> basic("api:" + key);
            case 2 -> basic(key + ":");
            default -> "bearer " + key;
        };
        assertEquals(key, LeakEndpoints.token(header));
    }

    @Property(tries = 2000)
    void anyAuthorizationValueGivesAStringOrNothingAndNeverThrows(@ForAll String header) {
        LeakEndpoints.token(header);
        LeakEndpoints.token("Basic " + header);
        LeakEndpoints.token(basic(header));
    }

    @Property(tries = 1000)
    void anIpv4ClientIsItsOwnNetwork(@ForAll int bits) {
        String a = (bits >>> 24) + "." + (bits >>> 16 & 0xff) + "." + (bits >>> 8 & 0xff) + "." + (bits & 0xff);
        assertEquals(a, LeakEndpoints.Report.network(a));
    }

    @Property(tries = 1000)
    void ipv6ClientsShareTheirSlash64AndOnlyThat(@ForAll long high, @ForAll long low1, @ForAll long low2, @ForAll long otherHigh) {
        if (isMapped(high, low1) || isMapped(high, low2)) {
            return; // IPv4 clients in IPv6 clothing: their own addresses
        }
        String a = v6(high, low1);
        String b = v6(high, low2);
        assertEquals(LeakEndpoints.Report.network(a), LeakEndpoints.Report.network("[" + b + "]"), "one /64, bracketed or not");
        if (otherHigh != high && !isMapped(otherHigh, low1)) {
            assertNotEquals(LeakEndpoints.Report.network(a), LeakEndpoints.Report.network(v6(otherHigh, low1)));
        }
    }

    @Property(tries = 1000)
    void anythingElseSharesOneBudgetAndNeverThrows(@ForAll String junk) {
        String n = LeakEndpoints.Report.network(junk);
        if (dev.portcullis.ClientAddress.parse(junk) == null) {
            assertEquals("unknown", n);
        }
    }

    /** {@code ::ffff:a.b.c.d} is an IPv4 client, whose network is its address. */
    private static boolean isMapped(long high, long low) {
        return high == 0 && (low >>> 32) == 0xffffL;
    }

    private static String v6(long high, long low) {
        StringBuilder s = new StringBuilder();
        for (int i = 3; i >= 0; i--) {
            s.append(Long.toHexString(high >>> (16 * i) & 0xffff)).append(':');
        }
        for (int i = 3; i >= 0; i--) {
            s.append(Long.toHexString(low >>> (16 * i) & 0xffff)).append(i > 0 ? ":" : "");
        }
        return s.toString();
    }
}
