package dev.portcullis.spi;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a listing. {@code nextCursor} is opaque; {@code null} means there is no more.
 */
public record Page<T>(List<T> items, @Nullable String nextCursor) {
    public Page {
        items = List.copyOf(items);
    }
}
