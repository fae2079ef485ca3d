package dev.portcullis.servlet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.AuthEvent;
import dev.portcullis.AuthListener;
import dev.portcullis.KeyEvent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells a person when a key leaked: a listener that POSTs a JSON notice for each leak report to a
 * webhook URL, e.g. a Slack or Mattermost incoming webhook (they show {@code text}), or your own
 * receiver (it reads the fields):
 *
 * <pre>{@code
 * {"text": "Portcullis: key 0123456789ab of account acme leaked (github commit https://…); action: revoked.",
 *  "event": "LEAK_REPORTED", "action": "revoked", "keyId": "0123456789ab", "account": "acme",
 *  "source": "github commit https://…", "at": "2026-12-01T10:15:30Z"}
 * }</pre>
 *
 * <p>Never a secret: a {@link KeyEvent} holds none, and the notice is made from it alone. By default
 * it notices {@code LEAK_REPORTED} (action {@code revoked}) and {@code LEAK_REPORT_ALREADY_REVOKED}
 * (action {@code none: already revoked}); {@link Builder#events} chooses others (an unverified report
 * names no key, and anyone can make one on a public endpoint, so it is not noticed by default).
 *
 * <p>The listener contract holds: {@link #onKeyEvent} only puts the notice on a bounded queue
 * (default 1000; when it is full the notice is dropped and counted, {@link #dropped()}), and one
 * thread sends them in order. A send that fails (no answer within the timeout, a 5xx, a 429) is
 * retried with exponential backoff (default 1 s, doubling, 5 attempts in all); a 4xx other than 429
 * is not retried. Failures are logged without the URL, which for incoming webhooks is itself a
 * secret. {@link #close()} sends what is queued (waiting at most the given time) and stops.
 */
public final class WebhookNotifier implements AuthListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(WebhookNotifier.class.getName());
    private static final Notice STOP = new Notice(new byte[0]);

    private record Notice(byte[] json) {}

    private final URI url;
    private final Duration timeout;
    private final Duration backoff;
    private final int attempts;
    private final Set<KeyEvent.Type> types;
    private final BlockingQueue<Notice> queue;
    private final HttpClient client;
    private final Thread sender;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean closed;

    private WebhookNotifier(Builder b) {
        this.url = b.url;
        this.timeout = b.timeout != null ? b.timeout : Duration.ofSeconds(10);
        this.backoff = b.backoff != null ? b.backoff : Duration.ofSeconds(1);
        this.attempts = b.attempts > 0 ? b.attempts : 5;
        this.types = b.types != null ? b.types : Set.copyOf(EnumSet.of(KeyEvent.Type.LEAK_REPORTED, KeyEvent.Type.LEAK_REPORT_ALREADY_REVOKED));
        this.queue = new ArrayBlockingQueue<>(b.capacity > 0 ? b.capacity : 1000);
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.sender = new Thread(this::run, "portcullis-webhook");
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * Starts a notifier posting to {@code url}, an absolute http or https URL.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Builder builder(URI url) {
        Objects.requireNonNull(url, "url");
        if (!url.isAbsolute() || !("https".equals(url.getScheme()) || "http".equals(url.getScheme())) || url.getHost() == null) {
            throw new IllegalArgumentException("the webhook URL must be an absolute http(s) URL");
        }
        return new Builder(url);
    }

    @Override
    public void onEvent(AuthEvent event) {
        // decisions are not leaks
    }

    @Override
    public void onKeyEvent(KeyEvent e) {
        if (e == null || !types.contains(e.type()) || closed) {
            return;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(notice(e));
        } catch (IOException | RuntimeException x) {
            dropped.incrementAndGet();
            return;
        }
        if (!queue.offer(new Notice(json))) {
            dropped.incrementAndGet();
        }
    }

    /** The notice for one event: its fields, and a sentence for chat tools. Package-private for tests. */
    static ObjectNode notice(KeyEvent e) {
        String source = e.detail() != null && e.detail().startsWith("source=") ? e.detail().substring(7) : null;
        String action = action(e);
        ObjectNode n = JSON.createObjectNode();
        StringBuilder text = new StringBuilder("Portcullis: ");
        if (e.type() == KeyEvent.Type.LEAK_REPORT_UNVERIFIED) {
            text.append("a leak report");
        } else {
            text.append(e.keyId() != null ? "key " + e.keyId() : "a key").append(e.account() != null ? " of account " + e.account() : "");
        }
        text.append(switch (e.type()) {
            case LEAK_REPORTED, LEAK_REPORT_ALREADY_REVOKED -> " leaked";
            case LEAK_REPORT_UNVERIFIED -> " named no key";
            default -> ": " + e.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        });
        if (source != null) {
            text.append(" (").append(source).append(')');
        } else if (e.detail() != null) {
            text.append(" (").append(e.detail()).append(')');
        }
        text.append("; action: ").append(action).append('.');
        n.put("text", text.toString());
        n.put("event", e.type().name());
        n.put("action", action);
        n.put("keyId", e.keyId());
        n.put("account", e.account());
        n.put("source", source);
        n.put("at", e.at() == null ? null : e.at().toString());
        n.put("actor", e.actor());
        return n;
    }

    private static String action(KeyEvent e) {
        return switch (e.type()) {
            case LEAK_REPORTED, REVOKED -> "revoked";
            case LEAK_REPORT_ALREADY_REVOKED -> "none: already revoked";
            case LEAK_REPORT_UNVERIFIED -> "none: the token is no live key";
            case ROTATED -> "rotated";
            case SUSPENDED -> "account suspended";
            default -> "none";
        };
    }

    private void run() {
        try {
            while (true) {
                Notice n = queue.take();
                if (n == STOP) {
                    return;
                }
                send(n);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // close() gave up waiting: what is left is dropped
        }
    }

    private void send(Notice n) throws InterruptedException {
        long wait = backoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            String outcome;
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(url).timeout(timeout)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(n.json())).build(), HttpResponse.BodyHandlers.discarding());
                int status = r.statusCode();
                if (status >= 200 && status < 300) {
                    delivered.incrementAndGet();
                    return;
                }
                outcome = "HTTP " + status;
                if (status < 500 && status != 429 && status != 408) {
                    failed.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "leak notice refused by the webhook (" + outcome + "); not retried");
                    return;
                }
            } catch (IOException e) {
                outcome = e.getClass().getSimpleName(); // never the message: it may name the URL
            }
            if (attempt >= attempts) {
                failed.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "leak notice not delivered after " + attempts + " attempts (last: " + outcome + ")");
                return;
            }
            TimeUnit.MILLISECONDS.sleep(wait);
            wait = Math.min(wait * 2, Duration.ofMinutes(5).toMillis());
        }
    }

    /** Notices dropped because the queue was full (or the notifier closed). */
    public long dropped() {
        return dropped.get();
    }

    /** Notices the webhook accepted (2xx). */
    public long delivered() {
        return delivered.get();
    }

    /** Notices given up on: refused with a 4xx, or still failing after every attempt. */
    public long failed() {
        return failed.get();
    }

    /** Sends what is queued, waiting at most {@code wait}, then stops; later events are ignored. */
    public void close(Duration wait) {
        closed = true;
        try {
            if (!queue.offer(STOP, wait.toMillis(), TimeUnit.MILLISECONDS)) {
                sender.interrupt();
            }
            sender.join(Math.max(1, wait.toMillis()));
            if (sender.isAlive()) {
                sender.interrupt();
                dropped.addAndGet(queue.size());
            }
        } catch (InterruptedException e) {
            sender.interrupt();
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #close(Duration)} waiting at most 10 seconds. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    @Override
    public String toString() {
        return "WebhookNotifier[" + types + ", queued " + queue.size() + "]"; // never the URL: an incoming webhook's URL is its secret
    }

    /** Configures a {@link WebhookNotifier}; each setting may be given once (a second call throws {@link IllegalStateException}). */
    public static final class Builder {
        private final URI url;
        private Duration timeout;
        private Duration backoff;
        private int attempts;
        private int capacity;
        private Set<KeyEvent.Type> types;

        private Builder(URI url) {
            this.url = url;
        }

        /** Which events are noticed; default {@code LEAK_REPORTED} and {@code LEAK_REPORT_ALREADY_REVOKED}. */
        public Builder events(KeyEvent.Type first, KeyEvent.Type... more) {
            if (types != null) {
                throw new IllegalStateException("events were already set to " + types);
            }
            this.types = Set.copyOf(EnumSet.of(Objects.requireNonNull(first, "first"), more));
            return this;
        }

        /** How long one send may take, connecting and answering; default 10 seconds. */
        public Builder timeout(Duration timeout) {
            if (this.timeout != null) {
                throw new IllegalStateException("timeout was already set to " + this.timeout);
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Retries: {@code attempts} sends in all (1 to 20), waiting {@code first} after the first
         * failure and twice as long after each next one (at most 5 minutes). Default 5 attempts from 1 second.
         */
        public Builder retries(int attempts, Duration first) {
            if (this.attempts != 0) {
                throw new IllegalStateException("retries were already set");
            }
            if (attempts < 1 || attempts > 20 || first == null || first.isNegative()) {
                throw new IllegalArgumentException("attempts must be 1 to 20 and the first wait zero or positive");
            }
            this.attempts = attempts;
            this.backoff = first;
            return this;
        }

        /** How many notices may wait to be sent; more are dropped and counted. Default 1000. */
        public Builder queueCapacity(int capacity) {
            if (this.capacity != 0) {
                throw new IllegalStateException("queueCapacity was already set to " + this.capacity);
            }
            if (capacity < 1) {
                throw new IllegalArgumentException("queueCapacity must be positive");
            }
            this.capacity = capacity;
            return this;
        }

        /** Starts the sending thread. */
        public WebhookNotifier build() {
            return new WebhookNotifier(this);
        }
    }
}
