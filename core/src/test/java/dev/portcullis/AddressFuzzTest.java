package dev.portcullis;

import dev.portcullis.internal.net.Allowlist;
import dev.portcullis.internal.net.Cidrs;
import dev.portcullis.internal.pipeline.FailureBudgets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.testing.FuzzInput;
import inet.ipaddr.IPAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz targets for client addresses, CIDR blocks and the trusted-proxy walk (checklist J52-J56).
 * The oracles are the property tests' own ({@link ClientAddressProperties}, {@link CidrsProperties},
 * {@link ResolveProperties}), called on the fuzzer's input, plus a few of this target's: nothing but
 * a documented outcome, never another exception, never DNS (parsing is pure text; a DNS lookup of
 * fuzzer text would show as a hang or a Jazzer SSRF finding).
 */
class AddressFuzzTest {
    private final ClientAddressProperties addresses = new ClientAddressProperties();
    private final CidrsProperties cidrs = new CidrsProperties();
    private final ResolveProperties walks = new ResolveProperties();

    /** Each field is a client address literal: strict parse, agreeing with IPAddress's strict parser. */
    @FuzzTest(maxDuration = "60s")
    void clientAddresses(byte[] data) {
        for (String literal : FuzzInput.texts(data)) {
            if (literal == null) {
                assertEquals(null, ClientAddress.parse(null));
                continue;
            }
            addresses.agreesWithStrictOracle(literal);
            addresses.canonicalRoundTrip(literal);
            ClientAddress a = ClientAddress.parse(literal);
            if (a != null) {
                String net = FailureBudgets.networkOf(a);
                assertNotNull(net);
                assertTrue(a.isIPv4() ? net.equals(a.toString()) : net.endsWith("/64"), net);
            }
        }
    }

    /**
     * Each field is a CIDR from configuration: a prefix block or an {@link IllegalArgumentException}
     * naming it; an allowlist of the accepted ones admits each block's first and last address, except
     * that an IPv6 block holds no IPv4 (mapped) client.
     */
    @FuzzTest(maxDuration = "60s")
    void cidrBlocks(byte[] data) {
        List<String> accepted = new ArrayList<>();
        for (String cidr : FuzzInput.texts(data)) {
            if (cidr == null) {
                continue;
            }
            cidrs.blockOrRefusal(cidr);
            try {
                Cidrs.parseBlock(cidr);
                accepted.add(cidr);
            } catch (IllegalArgumentException refused) {
                // documented; blockOrRefusal checked the message
            }
        }
        Allowlist list = Allowlist.of(accepted);
        for (String cidr : accepted) {
            IPAddress block = Cidrs.parseBlock(cidr);
            for (IPAddress end : List.of(block.getLower().withoutPrefixLength(), block.getUpper().withoutPrefixLength())) {
                ClientAddress client = ClientAddress.parse(end.toCanonicalString());
                assertNotNull(client, end::toCanonicalString);
                if (block.isIPv6() && client.isIPv4()) {
                    // An IPv6 block over ::ffff:0:0/96 (::/80, ::/0) holds no IPv4 client, mapped ones
                    // included (CidrsTest; found by this target with ::/80 and ::ffff:ffff:ffff).
                    assertFalse(Allowlist.of(List.of(cidr)).permits(client), () -> cidr + " admits the IPv4 client " + client);
                    continue;
                }
                assertTrue(list.permits(client), () -> cidr + " admits " + end);
            }
        }
        assertEquals(accepted.isEmpty(), list.permits(null), "an unparseable client passes only an empty allowlist");
    }

    /**
     * Field 0 is the socket peer, the rest are the values of the forwarding header. From a trusted
     * peer the client is the peer or an address written in the header; from any other peer, the peer.
     */
    @FuzzTest(maxDuration = "60s")
    void forwardedWalks(byte[] data) {
        List<String> fields = FuzzInput.texts(data);
        List<String> header = new ArrayList<>(fields.subList(1, fields.size()));
        walks.hostileHeaders(header);
        ClientAddress peer = fields.get(0) == null ? null : ClientAddress.parse(fields.get(0));
        if (peer != null && !TrustedProxies.xForwardedFor("10.0.0.0/8", "2001:db8:cafe::/48").trusts(peer)) {
            walks.untrustedPeer(fields.get(0), header);
        }
    }
}
