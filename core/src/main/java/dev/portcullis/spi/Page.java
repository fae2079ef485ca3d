package dev.portcullis.spi;

import java.util.List;

/**
 * One page of a listing. {@code nextCursor} is opaque; {@code null} means there is no more.
 */
public record Page<T>(List<T> items, String nextCursor) {
    public Page {
        items = List.copyOf(items);
    }
}
