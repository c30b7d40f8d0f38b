package io.lmadvisor.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/** Parses an ISO-8601 instant ({@code 2026-11-24T10:00:00Z}) or epoch milliseconds. */
final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
        String v = value.trim();
        try {
            return v.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(v)) : Instant.parse(v);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a time; use ISO-8601 like 2026-11-24T10:00:00Z or epoch milliseconds");
        }
    }
}
