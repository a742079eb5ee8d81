package io.jobstream.runtime.internal;

import io.jobstream.runtime.CheckResult;
import io.jobstream.runtime.ReadinessCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs readiness checks concurrently, each on its own thread of {@code executor} with its own
 * deadline; a check past its deadline is interrupted and reported down. Never throws for a failing
 * check.
 */
public final class Readiness {
    private Readiness() {}

    /** Runs every check; the results are in the checks' order. */
    public static Map<String, CheckResult> run(
            List<ReadinessCheck> checks, Duration defaultTimeout, ExecutorService executor)
            throws InterruptedException {
        List<Future<CheckResult>> futures = new ArrayList<>(checks.size());
        List<Long> deadlines = new ArrayList<>(checks.size());
        long start = System.nanoTime();
        for (ReadinessCheck check : checks) {
            futures.add(executor.submit(check::check));
            deadlines.add(start + check.timeout().orElse(defaultTimeout).toNanos());
        }
        Map<String, CheckResult> results = new LinkedHashMap<>();
        for (int i = 0; i < checks.size(); i++) {
            ReadinessCheck check = checks.get(i);
            Future<CheckResult> future = futures.get(i);
            CheckResult result;
            try {
                long waitNanos = Math.max(0, deadlines.get(i) - System.nanoTime());
                CheckResult returned = future.get(waitNanos, TimeUnit.NANOSECONDS);
                result = returned == null ? CheckResult.down("the check returned no result") : returned;
            } catch (TimeoutException e) {
                future.cancel(true);
                result = CheckResult.down("no result within "
                        + Values.formatDuration(check.timeout().orElse(defaultTimeout)));
            } catch (ExecutionException e) {
                result = CheckResult.down("the check failed (the error is logged)", Failures.describe(e));
            } catch (InterruptedException e) {
                futures.forEach(f -> f.cancel(true));
                throw e;
            }
            results.put(check.name(), result);
        }
        return results;
    }
}
