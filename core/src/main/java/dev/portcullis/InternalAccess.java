package dev.portcullis;

import dev.portcullis.AuthResult.SmtpReply;
import dev.portcullis.SaslExchange.SaslStep;
import dev.portcullis.internal.access.Api;
import dev.portcullis.internal.access.ApiAccess;
import dev.portcullis.internal.pipeline.Identity;
import dev.portcullis.spi.RateLimiter;

import inet.ipaddr.IPAddress;

import java.time.Duration;
import java.util.List;

/** The one {@link ApiAccess}: the package-private members of the API types, for the internal packages. */
final class InternalAccess implements ApiAccess {
    static {
        Api.install(new InternalAccess());
    }

    private InternalAccess() {
    }

    @Override public String header(AuthRequest r) { return r.header(); }
    @Override public List<String> headers(AuthRequest r) { return r.headers(); }
    @Override public String token(AuthRequest r) { return r.token(); }
    @Override public Object client(AuthRequest r) { return r.client(); }
    @Override public String permission(AuthRequest r) { return r.permission(); }
    @Override public String resource(AuthRequest r) { return r.resource(); }
    @Override public long cost(AuthRequest r) { return r.costOf(); }

    @Override
    public AuthResult allow(Principal p, RateLimiter.Take rate, AuthResult.CreditStatus credits, boolean atMail, String realm) {
        return AuthResult.allow(p, rate, credits, atMail, realm);
    }

    @Override
    public AuthResult deny(DenyReason reason, Duration retryAfter, RateLimiter.Take rate, AuthResult.CreditStatus credits,
            boolean atMail, String realm) {
        return AuthResult.deny(reason, retryAfter, rate, credits, atMail, realm);
    }

    @Override
    public Principal principal(Identity who, ClientAddress client, Channel channel, String verifiedHash) {
        return Principal.of(who, client, channel, verifiedHash);
    }

    @Override public Identity identity(Principal p) { return p.identity(); }

    @Override
    public boolean isFor(Principal p, Identity who, ClientAddress client, Channel channel, String verifiedHash) {
        return p.isFor(who, client, channel, verifiedHash);
    }
    @Override public String verifiedHash(Principal p) { return p.verifiedHash(); }
    @Override public SaslStep saslChallenge(String base64) { return SaslStep.challenge(base64); }
    @Override public SaslStep saslDone(AuthResult result, SmtpReply replyOrNull) { return SaslStep.done(result, replyOrNull); }
    @Override public SaslStep saslFailing(String base64, AuthResult denial) { return SaslStep.failing(base64, denial); }
    @Override public IssuedKey issuedKey(String secret, KeyInfo info) { return new IssuedKey(secret, info); }

    @Override
    public KeyFormat.Failure check(KeyFormat format, byte[] b, int from, int to) {
        return format.check(b, from, to);
    }

    @Override public int idOffset(KeyFormat format) { return format.idOffset(); }
    @Override public int tokenLength(KeyFormat format) { return format.tokenLength(); }
    @Override public Spec spec(KeySpec spec) { return spec.view(); }
    @Override public Update update(KeyUpdate update) { return update.view(); }
    @Override public int v4(ClientAddress a) { return a.v4(); }
    @Override public long v6High(ClientAddress a) { return a.v6High(); }
    @Override public long v6Low(ClientAddress a) { return a.v6Low(); }
    @Override public IPAddress ip(ClientAddress a) { return a.ip(); }

    @Override
    public boolean sameNetwork(ClientAddress a, ClientAddress b, int v4Bits, int v6Bits) {
        return a.sameNetwork(b, v4Bits, v6Bits);
    }
}
