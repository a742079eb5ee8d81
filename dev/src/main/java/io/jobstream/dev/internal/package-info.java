/**
 * Mechanics of the command line: the embedded single-node KRaft broker of {@code jobstream dev}, run inside the
 * jobstream JVM so that one process (and one Ctrl-C) owns everything.
 */
package io.jobstream.dev.internal;
