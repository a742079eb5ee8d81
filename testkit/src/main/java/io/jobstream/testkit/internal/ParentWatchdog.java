package io.jobstream.testkit.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Main class of every broker JVM: halts the JVM as soon as the test JVM that started it is gone (even
 * when that one was SIGKILLed and its shutdown hooks never ran), then runs the real main class.
 *
 * <p>Arguments: the parent's pid, the real main class, then its arguments. Uses the JDK only: it runs
 * on the broker's classpath.
 */
public final class ParentWatchdog {

    private ParentWatchdog() {}

    public static void main(String[] args) throws Throwable {
        long parentPid = Long.parseLong(args[0]);
        Thread watcher = new Thread(
                () -> {
                    ProcessHandle.of(parentPid)
                            .ifPresent(parent -> parent.onExit().join());
                    System.err.println("jobstream-testkit: parent process " + parentPid + " is gone; halting");
                    Runtime.getRuntime().halt(137);
                },
                "jobstream-testkit-parent-watchdog");
        watcher.setDaemon(true);
        watcher.start();
        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
