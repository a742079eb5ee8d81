package io.jobstream.dlq.lag;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LagSnapshotTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static PartitionLag partition(String group, String topic, int p, long committed, long end, String owner) {
        return partition(group, topic, p, committed, end, owner, TimeLagSource.ESTIMATE);
    }

    private static PartitionLag partition(
            String group, String topic, int p, long committed, long end, String owner, TimeLagSource source) {
        return new PartitionLag(
                group,
                topic,
                p,
                committed,
                end,
                end - committed,
                Duration.ofMillis(8_250),
                false,
                end > committed ? LagStatus.STOP : LagStatus.OK,
                Optional.ofNullable(owner),
                source);
    }

    private static LagSnapshot snapshot() {
        GroupLag workers = new GroupLag(
                "emails.workers",
                "EMPTY",
                0,
                LagStatus.STOP,
                Optional.empty(),
                List.of(
                        partition("emails.workers", "emails", 0, 100, 5_100, null, TimeLagSource.RECORD),
                        partition("emails.workers", "emails", 1, 40, 40, "worker-1")));
        GroupLag audit = new GroupLag(
                "audit",
                "STABLE",
                1,
                LagStatus.OK,
                Optional.empty(),
                List.of(partition("audit", "emails", 0, 4_000, 5_100, "audit-1")));
        GroupLag broken = new GroupLag(
                "images.workers", "UNKNOWN", 0, LagStatus.ERR, Optional.of("TimeoutException: boom"), List.of());
        return new LagSnapshot(Instant.parse("2026-01-01T00:00:00Z"), List.of(workers, audit, broken));
    }

    @Test
    void writesOneJsonObjectPerPartition() throws Exception {
        // Given a snapshot of three groups, one unreadable
        LagSnapshot snapshot = snapshot();
        // When written as JSON lines
        List<String> lines = snapshot.toJsonLines().lines().toList();
        // Then each partition is one object with every field, and the unreadable group one ERR line
        assertThat(lines).hasSize(4);
        JsonNode first = JSON.readTree(lines.getFirst());
        assertThat(first.get("group").asText()).isEqualTo("emails.workers");
        assertThat(first.get("topic").asText()).isEqualTo("emails");
        assertThat(first.get("partition").asInt()).isZero();
        assertThat(first.get("committed").asLong()).isEqualTo(100);
        assertThat(first.get("end").asLong()).isEqualTo(5_100);
        assertThat(first.get("lag").asLong()).isEqualTo(5_000);
        assertThat(first.get("lagSeconds").asDouble()).isEqualTo(8.25);
        assertThat(first.get("lagSecondsLowerBound").asBoolean()).isFalse();
        assertThat(first.get("lagSecondsSource").asText()).isEqualTo("record");
        assertThat(JSON.readTree(lines.get(2)).get("lagSecondsSource").asText()).isEqualTo("estimate");
        assertThat(first.get("status").asText()).isEqualTo("STOP");
        assertThat(first.get("owner").isNull()).isTrue();
        assertThat(JSON.readTree(lines.get(1)).get("owner").asText()).isEqualTo("worker-1");
        JsonNode err = JSON.readTree(lines.get(3));
        assertThat(err.get("status").asText()).isEqualTo("ERR");
        assertThat(err.get("error").asText()).contains("TimeoutException");
    }

    @Test
    void rendersATablePerGroup() {
        // Given the snapshot, When rendered as a table
        String table = snapshot().toTable();
        // Then each group has a heading and aligned rows
        assertThat(table)
                .contains("GROUP emails.workers  state=EMPTY members=0 status=STOP lag=5000")
                .contains("GROUP images.workers  state=UNKNOWN members=0 status=ERR lag=0 error=TimeoutException")
                .contains("TOPIC   PARTITION  COMMITTED   END   LAG  LAG-SECONDS  FROM      STATUS  OWNER");
        assertThat(table.lines().filter(l -> l.startsWith("emails ")).toList())
                .containsExactly(
                        "emails          0        100  5100  5000          8.3  record    STOP    -",
                        "emails          1         40    40     0          8.3  estimate  OK      worker-1",
                        "emails          0       4000  5100  1100          8.3  estimate  STOP    audit-1");
    }

    @Test
    void aQueuesDepthTakesTheLargestLagPerPartition() {
        // Given two groups reading emails: partition 0 lags 5000 and 1100, partition 1 lags 0
        // When the depth is computed, Then it is 5000 + 0
        assertThat(snapshot().queueDepths()).isEqualTo(Map.of("emails", 5_000L));
    }
}
