package dev.portcullis.smtp;

import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.Grant;
import dev.portcullis.Principal;
import dev.portcullis.AuthResult.SmtpReply;

import java.io.IOException;
import java.io.InputStream;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.MessageHandlerFactory;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.TooMuchDataException;

/**
 * Puts MAIL FROM authorization and the per-recipient charge in front of the application's handlers.
 * The application's handler is created only once the sender is authorized, so it never sees a
 * transaction Portcullis refused.
 */
final class GuardedMessages implements MessageHandlerFactory {
    static final String SEND = "messages:send";
    static final SmtpReply NOT_AUTHENTICATED = new SmtpReply(530, "5.7.0", "Authentication required");
    static final SmtpReply SENDER_REFUSED = new SmtpReply(550, "5.7.1", "Not authorized to send as this sender");
    /**
     * The sender is not exactly one RFC 5321 mailbox (or {@code <>}): a list, group, display name,
     * comment, source route, malformed or over-long path. RFC 3463 X.1.7 is "bad sender's mailbox
     * address syntax"; RFC 5321 §4.5.3.1.10 answers an over-long path with 501 too.
     */
    static final SmtpReply BAD_SENDER_SYNTAX = new SmtpReply(501, "5.1.7", "Bad sender address syntax");

    private final Authenticator authenticator;
    private final SmtpOptions options;
    private final MessageHandlerFactory application;

    GuardedMessages(Authenticator authenticator, SmtpOptions options, MessageHandlerFactory application) {
        this.authenticator = authenticator;
        this.options = options;
        this.application = application;
    }

    @Override
    public MessageHandler create(MessageContext context) {
        return new Guard(context);
    }

    /**
     * The refusal for this sender, or {@code null} if {@code principal} may send as it. The
     * sender must be exactly one RFC 5321 mailbox ({@link SmtpPath}), or the null reverse-path
     * with {@link SmtpOptions.Builder#allowNullSender}; anything else is {@link #BAD_SENDER_SYNTAX}
     * before the authenticator is asked. The record is re-read through {@code authorize}, so a
     * key revoked since AUTH stops here.
     */
    SmtpReply refusal(Principal principal, String sender) {
        if (sender.isEmpty()) {
            return options.nullSender ? onSomeDomain(principal) : SENDER_REFUSED;
        }
        SmtpPath.Mailbox mailbox = SmtpPath.parse(sender);
        if (mailbox == null) {
            return BAD_SENDER_SYNTAX; // a list, group, display name, comment, source route, bad syntax or too long
        }
        if (mailbox.addressLiteral()) {
            return options.addressLiterals ? onSomeDomain(principal) : SENDER_REFUSED;
        }
        if (Grant.canonicalResource(mailbox.domain()) == null) {
            return BAD_SENDER_SYNTAX; // e.g. a label IDNA refuses: not a domain name, so no grant can cover it
        }
        AuthResult r = authenticator.authorize(principal, SEND, mailbox.domain());
        return r.allowed() ? null : r.smtp();
    }

    /** The sender names no domain (null sender, address literal): {@code messages:send} on some domain. */
    private SmtpReply onSomeDomain(Principal principal) {
        AuthResult r = authenticator.authorize(principal, SEND);
        return r.allowed() ? null : r.smtp();
    }

    /**
     * {@code null} if a recipient may be added, else the refusal: each accepted {@code RCPT} costs 1,
     * charged through core to the key's and the account's rate limits and credits (450 4.7.1 when a
     * limit refuses, 452 4.5.3 when credits run out), on the sender's domain as authorized at MAIL.
     */
    SmtpReply recipientRefusal(Principal principal, String senderDomain) {
        AuthResult r = senderDomain == null ? authenticator.authorize(principal, SEND, 1)
                : authenticator.authorize(principal, SEND, senderDomain, 1);
        return r.allowed() ? null : r.smtp();
    }

    private final class Guard implements MessageHandler {
        private final MessageContext context;
        private Principal principal;
        /** The MAIL FROM domain recipients are charged on; {@code null}: no domain (null sender, address literal). */
        private String senderDomain;
        private MessageHandler delegate;

        Guard(MessageContext context) {
            this.context = context;
        }

        @Override
        public void from(String from) throws RejectException {
            // requireAuth answers first; this holds if someone turns it off.
            principal = PortcullisSmtp.principal(context).orElseThrow(() -> SaslAuthentication.reject(NOT_AUTHENTICATED));
            SmtpReply refusal = refusal(principal, from);
            if (refusal != null) {
                throw SaslAuthentication.reject(refusal);
            }
            SmtpPath.Mailbox mailbox = from.isEmpty() ? null : SmtpPath.parse(from);
            senderDomain = mailbox == null || mailbox.addressLiteral() ? null : mailbox.domain();
            delegate = application.create(context);
            delegate.from(from);
        }

        @Override
        public void recipient(String recipient) throws RejectException {
            SmtpReply refusal = recipientRefusal(principal, senderDomain);
            if (refusal != null) {
                throw SaslAuthentication.reject(refusal);
            }
            delegate.recipient(recipient);
        }

        @Override
        public String data(InputStream data) throws RejectException, TooMuchDataException, IOException {
            return delegate.data(data);
        }

        @Override
        public void done() {
            if (delegate != null) {
                delegate.done();
            }
        }
    }
}
