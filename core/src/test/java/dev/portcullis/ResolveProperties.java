package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.testing.Hostile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of {@link ClientAddress#resolve} (checklist J55, J56). */
class ResolveProperties {
    private static final TrustedProxies XFF = TrustedProxies.xForwardedFor("10.0.0.0/8", "2001:db8:cafe::/48");
    private static final TrustedProxies FORWARDED = TrustedProxies.forwarded("10.0.0.0/8", "2001:db8:cafe::/48");
    private static final ClientAddress PROXY = ClientAddress.parse("10.0.0.1");

    @Provide
    Arbitrary<String> untrusted() {
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255))
                        .as((x, y) -> "203.0." + x + "." + y),
                Arbitraries.integers().between(0, 0xFFFF).map(g -> "2001:db8::" + Integer.toHexString(g)));
    }

    @Provide
    Arbitrary<List<String>> trustedHops() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(1, 254).map(n -> "10.0.0." + n),
                Arbitraries.integers().between(0, 0xFFFF).map(g -> "2001:db8:cafe::" + Integer.toHexString(g)))
                .list().ofMaxSize(8);
    }

    /** What a client may put in the header before the proxies append to it: anything at all. */
    @Provide
    Arbitrary<List<String>> junk() {
        Arbitrary<String> element = Arbitraries.oneOf(Hostile.strings(), Arbitraries.of("10.0.0.7", "unknown", "_hidden",
                "for=10.0.0.7", "for=\"[2001:db8:cafe::9]\"", "\"", ",", ";", "for=\"a,b"));
        return Hostile.around(element).list().ofMaxSize(4);
    }

    @Property
    @Label("checklist J55: from an untrusted peer, any header is ignored")
    void untrustedPeer(@ForAll("untrusted") String peer, @ForAll("junk") List<String> header) {
        ClientAddress p = ClientAddress.parse(peer);
        assertEquals(p, ClientAddress.resolve(p, header, XFF));
        assertEquals(p, ClientAddress.resolve(p, header, FORWARDED));
        assertEquals(p, ClientAddress.resolve(p, header, TrustedProxies.none()));
    }

    @Property
    @Label("checklist J55: XFF 'junk, client, trusted hops' resolves to the client, whatever the junk")
    void xffClient(@ForAll("junk") List<String> junk, @ForAll("untrusted") String client, @ForAll("trustedHops") List<String> hops,
                   @ForAll boolean split) {
        List<String> list = new ArrayList<>(junk);
        list.add(client);
        list.addAll(hops);
        List<String> values = split ? list : List.of(String.join(", ", list));
        assertEquals(ClientAddress.parse(client), ClientAddress.resolve(PROXY, values, XFF));
    }

    @Property
    @Label("checklist J56: Forwarded 'junk, for=client, for=trusted hops' resolves to the client, in any spelling")
    void forwardedClient(@ForAll("junk") List<String> junk, @ForAll("untrusted") String client,
                         @ForAll("trustedHops") List<String> hops, @ForAll("spellings") int spelling) {
        List<String> elements = new ArrayList<>(junk);
        elements.add(forElement(client, spelling));
        for (String hop : hops) {
            elements.add(forElement(hop, spelling + 1));
        }
        assertEquals(ClientAddress.parse(client), ClientAddress.resolve(PROXY, List.of(String.join(", ", elements)), FORWARDED));
    }

    @Provide
    Arbitrary<Integer> spellings() {
        return Arbitraries.integers().between(0, 5);
    }

    private static String forElement(String address, int spelling) {
        boolean v6 = address.contains(":");
        String node = v6 ? "[" + address + "]" : address;
        return switch (spelling % 6) {
            case 0 -> "for=" + (v6 ? "\"" + node + "\"" : node);
            case 1 -> "For=\"" + node + ":4711\"";
            case 2 -> "proto=https;for=\"" + node + "\";by=_gw";
            case 3 -> "host=\"x;y,z\";FOR=\"" + node + ":_p1\"";
            case 4 -> "for=\"" + node + "\" ; proto=http";
            default -> "by=10.0.0.1;for=\"" + node + "\"";
        };
    }

    @Property
    @Label("checklist J55/J56: any header from a trusted peer gives the peer or an address written in it, never an exception")
    void hostileHeaders(@ForAll("junk") List<String> header) {
        for (TrustedProxies trusted : List.of(XFF, FORWARDED)) {
            ClientAddress client = ClientAddress.resolve(PROXY, header, trusted);
            assertTrue(client.equals(PROXY) || written(header).contains(client), client::toString);
        }
    }

    /** Every address spelled in the header, found by splitting it far more loosely than resolve does. */
    private static Set<ClientAddress> written(List<String> header) {
        Set<ClientAddress> found = new HashSet<>();
        for (String value : header) {
            if (value == null) {
                continue; // resolve reads a null value as empty (found by AddressFuzzTest#forwardedWalks)
            }
            for (String token : value.split("[ \t,;\"=]+")) {
                String unbracketed = token.startsWith("[") && token.indexOf(']') > 0 ? token.substring(1, token.indexOf(']')) : token;
                String unported = token.indexOf(':') > 0 ? token.substring(0, token.indexOf(':')) : token;
                for (String candidate : List.of(token, unbracketed, unported)) {
                    ClientAddress a = ClientAddress.parse(candidate);
                    if (a != null) {
                        found.add(a);
                    }
                }
            }
        }
        return found;
    }
}
