/**
 * The one {@code jobstream} command (picocli): the embedded {@code dev} mode and operator commands; the service
 * commands ({@code worker}, {@code api}, {@code dlq-service}, {@code scheduler}) join as their modules land.
 *
 * <p>This is wiring code: it assembles the other modules' public APIs and never reaches into their internals.
 * Failures print one line ({@code jobstream: <what is wrong>}) and exit 1; usage errors exit 2.
 */
package io.jobstream.cli;
