package io.lmadvisor.model.data;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Column positions by header name, so readers do not depend on column order. */
final class Header {
    private final List<String> names;
    private final Map<String, Integer> index = new HashMap<>();

    private Header(List<String> names) {
        this.names = List.copyOf(names);
    }

    static Header parse(List<String> fields, String source) throws DatasetException {
        if (!fields.isEmpty()) {
            // A UTF-8 byte order mark would otherwise become part of the first column's name.
            fields.set(0, fields.get(0).replace("\uFEFF", "").trim());
        }
        Header h = new Header(fields);
        for (int i = 0; i < fields.size(); i++) {
            if (h.index.putIfAbsent(fields.get(i), i) != null) {
                throw new DatasetException(source, 1, "header names column '" + fields.get(i) + "' twice");
            }
        }
        return h;
    }

    String name(int column) {
        return names.get(column);
    }

    int size() {
        return names.size();
    }

    /** Position of a column the format needs. */
    int require(String column, String source) throws DatasetException {
        Integer i = index.get(column);
        if (i == null) {
            throw new DatasetException(
                    source, 1, "missing required column '" + column + "' (header has " + names + ")");
        }
        return i;
    }

    /** Position of an optional column, or -1. */
    int find(String column) {
        return index.getOrDefault(column, -1);
    }
}
