package io.jobstream.schemas.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.schemas.Job;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class AvroCodecScratchTest {
    private final AvroCodec<Job> codec = new AvroCodec<>(Job.class, SchemaHistory.shipped(), null);

    @Test
    void virtualThreadsBorrowScratchInsteadOfMakingOneEach() throws Exception {
        // Given a codec used once on a platform thread (its own scratch exists)
        codec.decode(codec.encodeSingleObject(job(0)));
        long before = AvroCodec.scratchesMade();

        // When 2,000 jobs are encoded and decoded, each on a fresh virtual thread, as a processor runs its jobs
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 1; i <= 2_000; i++) {
                int n = i;
                threads.submit(() -> codec.decode(codec.encodeSingleObject(job(n))))
                        .get();
            }
        }

        // Then a handful of scratches served them all (a thread-local one would be made 2,000 times)
        assertThat(AvroCodec.scratchesMade() - before).isLessThanOrEqualTo(4);
    }

    @Test
    void concurrentVirtualThreadsNeverShareAScratch() throws Exception {
        // Given 400 virtual threads encoding and decoding different jobs at once
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 400; i++) {
                int n = i;
                results.add(threads.submit(() -> {
                    boolean same = true;
                    for (int round = 0; round < 50; round++) {
                        Job job = job(n * 1_000 + round);
                        Thread.yield();
                        same &= codec.decode(codec.encodeSingleObject(job)).equals(job);
                    }
                    return same;
                }));
            }
            // Then every one got its own job back every time
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        }
    }

    private static Job job(int n) {
        byte[] payload = new byte[100 + n % 300];
        payload[0] = (byte) n;
        return Job.newBuilder()
                .setId("job-" + n)
                .setType("t" + n % 7)
                .setPayload(ByteBuffer.wrap(payload))
                .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L + n))
                .setHeaders(Map.of("n", Integer.toString(n)))
                .build();
    }
}
