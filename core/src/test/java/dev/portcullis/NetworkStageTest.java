package dev.portcullis;

import dev.portcullis.internal.net.Allowlist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DESIGN §2 Network: per-key CIDR allowlists, IPv4 and IPv6, the same for every spelling of an address (checklist J52–54). */
class NetworkStageTest {
    private final Fixtures f = new Fixtures();

    private IssuedKey keyAllowing(String... cidrs) {
        return f.keys().create(KeySpec.builder().account("acme").allow(cidrs).build());
    }

    private DenyReason from(IssuedKey k, Object client) {
        return f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), client)).reason();
    }

    @Test
    void ipv4AllowlistMatchesMappedIpv6Clients() throws Exception {
        IssuedKey k = keyAllowing("203.0.113.0/24");
        assertEquals(null, from(k, "203.0.113.7"));
        assertEquals(null, from(k, "::ffff:203.0.113.7"));
        assertEquals(null, from(k, "[::ffff:cb00:7107]"));
        assertEquals(null, from(k, InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 7})));
        assertEquals(DenyReason.IP_NOT_ALLOWED, from(k, "203.0.114.7"));
        assertEquals(DenyReason.IP_NOT_ALLOWED, from(k, "::203.0.113.7"), "IPv4-compatible is not mapped");
        assertEquals(DenyReason.IP_NOT_ALLOWED, from(k, "64:ff9b::203.0.113.7"));
        AuthResult r = f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "198.51.100.1"));
        assertEquals(403, r.http().status());
        assertEquals("535 5.7.8", r.smtp().code() + " " + r.smtp().enhanced());
    }

    @Test
    void ipv6AllowlistsAndZoneIds() {
        IssuedKey k = keyAllowing("2001:db8::/32", "fe80::/10");
        assertEquals(null, from(k, "2001:db8:1::5"));
        assertEquals(null, from(k, "[2001:DB8::1]"));
        assertEquals(null, from(k, "fe80::1%eth0"), "the zone id is stripped");
        assertEquals(DenyReason.IP_NOT_ALLOWED, from(k, "2001:db9::1"));
        assertEquals(DenyReason.IP_NOT_ALLOWED, from(k, "10.0.0.1"));
    }

    @Test
    void unparseableClientsPassOnlyWhereAnyAddressMay() {
        IssuedKey open = keyAllowing();
        IssuedKey closed = keyAllowing("0.0.0.0/0", "::/0");
        for (String bad : new String[] {"", "localhost", "010.1.2.3", "192.168.1", "3221225985", "1.2.3.4.5"}) {
            assertEquals(null, from(open, bad), bad);
            assertEquals(DenyReason.IP_NOT_ALLOWED, from(closed, bad), bad);
        }
    }

    @Test
    void aHundredThousandBlocksAreCheckedExactly() {
        List<String> cidrs = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            cidrs.add("10." + (i >> 8 & 0xFF) + "." + (i & 0xFF) + ".0/28"); // 10.x.y.0-15
        }
        cidrs.add("2001:db8:ffff::/48");
        IssuedKey k = keyAllowing(cidrs.toArray(String[]::new));
        assertEquals(null, from(k, "10.134.159.9"));
        assertEquals(DenyReason.IP_NOT_ALLOWED, from(k, "10.134.159.16"), "just past a /28");
        assertEquals(null, from(k, "10.0.0.0"));
        assertEquals(DenyReason.IP_NOT_ALLOWED, from(k, "11.0.0.1"));
        assertEquals(null, from(k, "2001:db8:ffff:1::1"));
        assertEquals(DenyReason.IP_NOT_ALLOWED, from(k, "2001:db8:fffe::1"));
    }

    @Test
    void aHundredThousandIpv6BlocksAreCheckedExactly() {
        List<String> cidrs = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            cidrs.add(String.format("2001:db8:%x:%x::/64", i >> 16, i & 0xFFFF));
        }
        cidrs.add("2001:db8:ffff:ffff:ffff::/80");
        cidrs.add("203.0.113.0/24");
        Allowlist list = Allowlist.of(cidrs);
        assertTrue(list.permits(ClientAddress.parse("2001:db8:1:869f::1")), "the last /64 (i = 99,999)");
        assertFalse(list.permits(ClientAddress.parse("2001:db8:1:86a0::1")), "just past it");
        assertTrue(list.permits(ClientAddress.parse("2001:db8::ffff:ffff:ffff:ffff")), "the end of the first /64");
        assertTrue(list.permits(ClientAddress.parse("2001:db8:ffff:ffff:ffff:0:0:1")), "inside the /80");
        assertFalse(list.permits(ClientAddress.parse("2001:db8:ffff:ffff:fffe::1")), "beside the /80");
        assertTrue(list.permits(ClientAddress.parse("203.0.113.9")));
        assertTrue(list.permits(ClientAddress.parse("::ffff:203.0.113.9")), "mapped IPv6 is the IPv4 client");
        assertFalse(list.permits(ClientAddress.parse("2001:db9::1")));
    }

    @Test
    void linearAndLargeListsAgreeWithABruteForceCheck() {
        java.util.Random random = new java.util.Random(42);
        java.util.Set<String> strategies = new java.util.TreeSet<>();
        for (int round = 0; round < 50; round++) {
            int n = 1 + random.nextInt(120);
            List<String> cidrs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int prefix = new int[] {8, 16, 24, 28, 32, 8 + random.nextInt(25)}[random.nextInt(6)];
                int addr = random.nextInt() & (prefix == 32 ? -1 : ~(-1 >>> prefix));
                cidrs.add(ip(addr) + "/" + prefix);
            }
            Allowlist list = Allowlist.of(cidrs);
            strategies.add(list.v4Strategy());
            for (int probe = 0; probe < 200; probe++) {
                int a = random.nextInt();
                boolean expected = false;
                for (String c : cidrs) {
                    int slash = c.indexOf('/');
                    int prefix = Integer.parseInt(c.substring(slash + 1));
                    int base = ClientAddress.parse(c.substring(0, slash)).ip().getValue().intValue();
                    int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
                    expected |= (a & mask) == (base & mask);
                }
                assertEquals(expected, list.permits(ClientAddress.parse(ip(a))), cidrs + " vs " + ip(a));
            }
        }
        assertEquals(java.util.Set.of("linear", "sets"), strategies, "both IPv4 strategies were checked");
    }

    @Test
    void allowlistsAreCanonicalisedOnSave() {
        IssuedKey k = keyAllowing("2001:0DB8:0000::/32", "::ffff:203.0.113.0/120");
        assertEquals(List.of("2001:db8::/32", "203.0.113.0/24"), f.store.findById(k.id()).orElseThrow().allowlist());
        assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "203.0.113.200")).allowed());
        assertFalse(f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "203.0.112.200")).allowed());
    }

    private static String ip(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 0xFF) + "." + (a >>> 8 & 0xFF) + "." + (a & 0xFF);
    }
}
