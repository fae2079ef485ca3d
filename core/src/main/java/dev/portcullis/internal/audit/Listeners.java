package dev.portcullis.internal.audit;

import dev.portcullis.AuthEvent;
import dev.portcullis.AuthListener;
import dev.portcullis.Authenticator;
import dev.portcullis.KeyEvent;

import java.util.List;

/**
 * The configured {@link AuthListener}s, called as their contract says: in order, on the calling
 * thread; one that throws is logged and ignored, and never changes a decision or a change.
 */
public final class Listeners {
    private final List<AuthListener> listeners;

    public Listeners(List<AuthListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Whether anyone listens: without listeners no event is even built. */
    public boolean any() {
        return !listeners.isEmpty();
    }

    public void emit(AuthEvent e) {
        for (AuthListener l : listeners) {
            try {
                l.onEvent(e);
            } catch (RuntimeException | LinkageError ex) {
                warn(l, ex);
            }
        }
    }

    public void emit(KeyEvent e) {
        for (AuthListener l : listeners) {
            try {
                l.onKeyEvent(e);
            } catch (RuntimeException | LinkageError ex) {
                warn(l, ex);
            }
        }
    }

    private static void warn(AuthListener l, Throwable ex) {
        System.getLogger(Authenticator.class.getName()).log(System.Logger.Level.WARNING,
                "AuthListener " + l.getClass().getName() + " threw; ignored: " + ex);
    }
}
