package dev.portcullis.smtp;

import dev.portcullis.ClientAddress;
import dev.portcullis.TrustedProxies;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.subethamail.smtp.internal.proxy.ProxyHandler;
import org.subethamail.smtp.internal.proxy.ProxyProtocolV1V2Handler;
import org.subethamail.smtp.server.Session;

/**
 * SubEthaSMTP's PROXY protocol reader, for trusted peers only: anyone else could name any client
 * address and walk past every allowlist. Which peers are trusted is the core's
 * {@link TrustedProxies#trusts}, the one CIDR parser and matcher of Portcullis.
 */
final class TrustedProxyProtocol implements ProxyHandler {
    private final TrustedProxies trusted;

    TrustedProxyProtocol(TrustedProxies trusted) {
        this.trusted = trusted;
    }

    @Override
    public ProxyResult handle(InputStream in, OutputStream out, Session session) throws IOException {
        if (trusted.trusts(ClientAddress.of(session.getRealRemoteAddress().getAddress()))) {
            return ProxyProtocolV1V2Handler.INSTANCE.handle(in, out, session);
        }
        return ProxyResult.NOP;
    }
}
