package dev.portcullis.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.List;
import org.subethamail.smtp.internal.proxy.ProxyHandler;
import org.subethamail.smtp.internal.proxy.ProxyProtocolV1V2Handler;
import org.subethamail.smtp.server.Session;

/**
 * SubEthaSMTP's PROXY protocol reader, for trusted peers only: anyone else could name any client
 * address and walk past every allowlist.
 */
final class TrustedProxyProtocol implements ProxyHandler {
    private final List<Cidr> trusted;

    TrustedProxyProtocol(List<Cidr> trusted) {
        this.trusted = trusted;
    }

    @Override
    public ProxyResult handle(InputStream in, OutputStream out, Session session) throws IOException {
        InetAddress peer = session.getRealRemoteAddress().getAddress();
        for (Cidr block : trusted) {
            if (block.contains(peer)) {
                return ProxyProtocolV1V2Handler.INSTANCE.handle(in, out, session);
            }
        }
        return ProxyResult.NOP;
    }
}
