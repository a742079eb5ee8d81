package io.jobstream.processor;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A provider listed in the test resources' {@code META-INF/services}, found by {@code discoverHandlers}. */
public final class TestHandlerProvider implements JobHandlerProvider {
    static final List<String> RAN = new CopyOnWriteArrayList<>();

    @Override
    public void register(JobProcessor.Builder builder) {
        builder.handle("discovered", String.class, (ctx, text) -> RAN.add(ctx.id() + ":" + text));
    }
}
