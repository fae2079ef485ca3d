package dev.portcullis.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.AuthEvent;
import dev.portcullis.AuthListener;
import dev.portcullis.KeyEvent;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The audit trail: every {@link AuthEvent} and {@link KeyEvent} as one JSON line in
 * {@code audit.jsonl}. Listeners run on the request thread and must not block, so events go to a
 * bounded queue and one thread writes them; if the queue is ever full an event is dropped and the
 * count of drops is written as a line of its own. Events hold no secrets, so neither does the file.
 */
final class AuditLog implements AuthListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectNode STOP = JSON.createObjectNode();

    private final BlockingQueue<ObjectNode> queue = new ArrayBlockingQueue<>(10_000);
    private final AtomicLong dropped = new AtomicLong();
    private final BufferedWriter out;
    private final Thread writer;

    AuditLog(Path file) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        this.writer = new Thread(this::drain, "portcullis-audit");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void onEvent(AuthEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("at", e.at().toString());
        n.put("event", "auth");
        n.put("channel", e.channel().name());
        n.put("allowed", e.allowed());
        n.put("reason", e.reason() == null ? null : e.reason().name());
        n.put("detail", e.detail());
        n.put("keyId", e.keyId());
        n.put("account", e.account());
        n.put("client", e.clientAddress());
        n.put("newNetwork", e.newNetwork());
        n.put("wouldDeny", e.wouldDeny() == null ? null : e.wouldDeny().name());
        offer(n);
    }

    @Override
    public void onKeyEvent(KeyEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("at", e.at().toString());
        n.put("event", "key");
        n.put("type", e.type().name());
        n.put("keyId", e.keyId());
        n.put("account", e.account());
        n.put("actor", e.actor());
        n.put("reason", e.reason());
        n.put("detail", e.detail());
        offer(n);
    }

    private void offer(ObjectNode n) {
        if (!queue.offer(n)) {
            dropped.incrementAndGet();
        }
    }

    private void drain() {
        try {
            while (true) {
                ObjectNode n = queue.take();
                if (n == STOP) {
                    break;
                }
                write(n);
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    write(JSON.createObjectNode().put("event", "dropped").put("count", lost));
                }
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            System.err.println("portcullis: cannot write the audit trail: " + e);
        }
    }

    private void write(ObjectNode n) throws IOException {
        out.write(JSON.writeValueAsString(n));
        out.write('\n');
    }

    /** Writes what is queued, then closes the file. */
    @Override
    public void close() {
        try {
            queue.put(STOP);
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            out.close();
        } catch (IOException e) {
            System.err.println("portcullis: cannot close the audit trail: " + e);
        }
    }
}
