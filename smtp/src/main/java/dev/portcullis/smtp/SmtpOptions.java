package dev.portcullis.smtp;

import dev.portcullis.TrustedProxies;

import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How {@link PortcullisSmtp#configure} sets up a SubEthaSMTP server. Exactly one transport must
 * be chosen: {@link Builder#startTls}, {@link Builder#implicitTls} or, for tests only,
 * {@link Builder#insecurePlaintextAuth}. Immutable.
 *
 * <pre>{@code
 * SmtpOptions options = SmtpOptions.builder()
 *         .startTls(sslContext)                              // port 587
 *         .proxyProtocolFrom("10.0.0.0/8")                   // behind an L4 load balancer
 *         .build();
 * }</pre>
 */
public final class SmtpOptions {
    /** How AUTH is protected on the wire. */
    enum Transport { STARTTLS, IMPLICIT_TLS, PLAINTEXT }

    final Transport transport;
    final SSLContext tls;
    final boolean nullSender;
    final boolean addressLiterals;
    final int maxFailedAuth;
    /** The peers whose PROXY header is read, or {@code null} for none. */
    final TrustedProxies proxies;
    /** Their blocks as configured, for {@link #toString}. */
    private final List<String> proxyBlocks;

    private SmtpOptions(Builder b) {
        this.transport = b.transport;
        this.tls = b.tls;
        this.nullSender = b.nullSender;
        this.addressLiterals = b.addressLiterals;
        this.maxFailedAuth = b.maxFailedAuth > 0 ? b.maxFailedAuth : 3;
        this.proxyBlocks = b.proxyBlocks;
        this.proxies = b.proxyBlocks.isEmpty() ? null : b.proxies;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return "SmtpOptions[" + transport
                + (proxies == null ? "" : ", PROXY from " + proxyBlocks) + "]";
    }

    /** Each setting may be given once; a second call throws {@link IllegalStateException}. */
    public static final class Builder {
        private Transport transport;
        private SSLContext tls;
        private boolean nullSender;
        private boolean addressLiterals;
        private int maxFailedAuth;
        private TrustedProxies proxies;
        private List<String> proxyBlocks = List.of();
        private boolean proxiesSet;

        private Builder() {}

        private static void once(boolean set, String what) {
            if (set) {
                throw new IllegalStateException(what + " was already set");
            }
        }

        private Builder transport(Transport t, SSLContext context) {
            if (transport != null) {
                throw new IllegalStateException("the transport was already set to " + transport);
            }
            this.transport = t;
            this.tls = context;
            return this;
        }

        /**
         * Submission with STARTTLS (RFC 3207, port 587): the server requires TLS before any command
         * but EHLO, NOOP, QUIT and STARTTLS, and offers AUTH only after the handshake.
         */
        public Builder startTls(SSLContext context) {
            return transport(Transport.STARTTLS, Objects.requireNonNull(context, "context"));
        }

        /** Submission over implicit TLS (RFC 8314, port 465): the handshake comes first. */
        public Builder implicitTls(SSLContext context) {
            return transport(Transport.IMPLICIT_TLS, Objects.requireNonNull(context, "context"));
        }

        /**
         * Offers and accepts AUTH without TLS, where passwords and API keys cross
         * the network in the clear. For tests on loopback only. The core refuses such exchanges
         * ({@code 538 5.7.11}) unless its Portcullis was also built with
         * {@code insecureAllowSaslWithoutTls()}.
         */
        public Builder insecurePlaintextAuth() {
            return transport(Transport.PLAINTEXT, null);
        }

        /**
         * Accepts {@code MAIL FROM:<>} (bounces) from a principal that may send for some domain.
         * Refused by default ({@code 550 5.7.1}): a submission client rarely needs it.
         */
        public Builder allowNullSender() {
            once(nullSender, "allowNullSender");
            this.nullSender = true;
            return this;
        }

        /**
         * Accepts senders at address literals ({@code user@[192.0.2.1]}) from a principal that may
         * send for some domain: a literal names no domain a grant could cover. Refused by default.
         */
        public Builder allowAddressLiterals() {
            once(addressLiterals, "allowAddressLiterals");
            this.addressLiterals = true;
            return this;
        }

        /**
         * Failed AUTH attempts a connection survives (default 3, the least RFC 4954 §9 allows);
         * the next AUTH gets {@code 421 4.7.0} and the connection is closed.
         *
         * @throws IllegalArgumentException if below 3
         */
        public Builder maxFailedAuthPerConnection(int attempts) {
            once(maxFailedAuth != 0, "maxFailedAuthPerConnection");
            if (attempts < 3) {
                throw new IllegalArgumentException("RFC 4954 §9: a connection survives at least 3 failed AUTH attempts");
            }
            this.maxFailedAuth = attempts;
            return this;
        }

        /**
         * Reads a PROXY protocol header (v1 or v2) from peers in these CIDR blocks, e.g. an L4 load
         * balancer, and takes its source address as the client's. Peers elsewhere are their own
         * client address, and a PROXY line from them is just an unknown command. Default none.
         *
         * <p>The blocks are read as the core reads trusted proxies ({@link TrustedProxies}): an
         * IPv4-mapped block must be inside {@code ::ffff:0:0/96} ({@code ::ffff:10.0.0.0/104} is
         * 10.0.0.0/8; {@code ::ffff:10.0.0.0/8} is refused), and host bits must be zero.
         *
         * @throws IllegalArgumentException for an entry that is not a CIDR block (named in the message)
         */
        public Builder proxyProtocolFrom(String... cidrs) {
            once(proxiesSet, "proxyProtocolFrom");
            proxiesSet = true;
            // Only the blocks of TrustedProxies are used here (trusts); the PROXY protocol has no header name.
            this.proxies = TrustedProxies.xForwardedFor(cidrs);
            this.proxyBlocks = List.of(cidrs);
            return this;
        }

        /** @throws IllegalStateException if no transport was chosen */
        public SmtpOptions build() {
            if (transport == null) {
                throw new IllegalStateException("choose a transport: startTls(context), implicitTls(context) "
                        + "or, for tests, insecurePlaintextAuth()");
            }
            if (transport == Transport.IMPLICIT_TLS && !proxyBlocks.isEmpty()) {
                // SubEthaSMTP reads the PROXY header from the socket's stream, which is already TLS.
                throw new IllegalStateException("SubEthaSMTP cannot read a PROXY header before an implicit TLS handshake");
            }
            return new SmtpOptions(this);
        }
    }
}
