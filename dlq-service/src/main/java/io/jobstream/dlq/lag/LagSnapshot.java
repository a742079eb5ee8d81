package io.jobstream.dlq.lag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every monitored consumer group at one sample.
 *
 * @param takenAt when the sample was taken
 * @param groups the groups, by id
 */
public record LagSnapshot(Instant takenAt, List<GroupLag> groups) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COLUMNS =
            List.of("TOPIC", "PARTITION", "COMMITTED", "END", "LAG", "LAG-SECONDS", "FROM", "STATUS", "OWNER");

    public LagSnapshot {
        Objects.requireNonNull(takenAt, "takenAt");
        groups = List.copyOf(groups);
    }

    /** The group {@code group}, if it was monitored in this sample. */
    public Optional<GroupLag> group(String group) {
        return groups.stream().filter(g -> g.group().equals(group)).findFirst();
    }

    /**
     * The depth of each queue (= topic) the groups consume: per partition the largest lag of any group reading it,
     * summed over the topic's partitions; sorted by topic. This is what {@code jobstream.queue.depth} reports.
     */
    public Map<String, Long> queueDepths() {
        Map<String, Map<Integer, Long>> maxLag = new TreeMap<>();
        for (GroupLag group : groups) {
            for (PartitionLag p : group.partitions()) {
                maxLag.computeIfAbsent(p.topic(), t -> new HashMap<>()).merge(p.partition(), p.lag(), Math::max);
            }
        }
        Map<String, Long> depths = new TreeMap<>();
        maxLag.forEach((topic, byPartition) -> depths.put(
                topic, byPartition.values().stream().mapToLong(Long::longValue).sum()));
        return depths;
    }

    /**
     * One JSON object per line and partition: {@code group, topic, partition, committed, end, lag, lagSeconds,
     * lagSecondsLowerBound, lagSecondsSource, status, owner} ({@code lagSecondsSource} is {@code record} when the
     * seconds are the oldest waiting record's age, {@code estimate} when interpolated; {@code owner} null when
     * unassigned). A group that could not be read is
     * one line {@code {"group": ..., "status": "ERR", "error": ...}}. Each line ends with {@code \n}.
     */
    public String toJsonLines() {
        StringBuilder out = new StringBuilder();
        for (GroupLag group : groups) {
            if (group.status() == LagStatus.ERR && group.partitions().isEmpty()) {
                ObjectNode line = JSON.createObjectNode();
                line.put("group", group.group());
                line.put("status", group.status().name());
                line.put("error", group.error().orElse(""));
                out.append(write(line)).append('\n');
                continue;
            }
            for (PartitionLag p : group.partitions()) {
                ObjectNode line = JSON.createObjectNode();
                line.put("group", p.group());
                line.put("topic", p.topic());
                line.put("partition", p.partition());
                line.put("committed", p.committed());
                line.put("end", p.end());
                line.put("lag", p.lag());
                line.put("lagSeconds", BigDecimal.valueOf(p.timeLag().toMillis(), 3));
                line.put("lagSecondsLowerBound", p.timeLagIsLowerBound());
                line.put("lagSecondsSource", p.timeLagSource().label());
                line.put("status", p.status().name());
                line.put("owner", p.owner().orElse(null));
                out.append(write(line)).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * A plain-text table per group, for a terminal: a heading line {@code GROUP <id>  state=... members=...
     * status=... lag=...} (and {@code error=...} when it could not be read), then one row per partition with the
     * columns {@code TOPIC PARTITION COMMITTED END LAG LAG-SECONDS FROM STATUS OWNER}; a blank line between groups.
     * {@code FROM} says where the lag seconds come from ({@code record}: the oldest waiting record's age; {@code
     * estimate}: interpolated, prefixed with {@code >=} when a lower bound); an unassigned partition's owner is
     * {@code -}.
     */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        for (GroupLag group : groups) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append("GROUP ")
                    .append(group.group())
                    .append("  state=")
                    .append(group.state())
                    .append(" members=")
                    .append(group.members())
                    .append(" status=")
                    .append(group.status())
                    .append(" lag=")
                    .append(group.totalLag());
            group.error().ifPresent(e -> out.append(" error=").append(e));
            out.append('\n');
            List<List<String>> rows = new ArrayList<>();
            rows.add(COLUMNS);
            for (PartitionLag p : group.partitions()) {
                rows.add(List.of(
                        p.topic(),
                        Integer.toString(p.partition()),
                        Long.toString(p.committed()),
                        Long.toString(p.end()),
                        Long.toString(p.lag()),
                        (p.timeLagIsLowerBound() ? ">=" : "")
                                + String.format(Locale.ROOT, "%.1f", p.timeLag().toMillis() / 1000.0),
                        p.timeLagSource().label(),
                        p.status().name(),
                        p.owner().orElse("-")));
            }
            int[] widths = new int[COLUMNS.size()];
            for (List<String> row : rows) {
                for (int i = 0; i < row.size(); i++) {
                    widths[i] = Math.max(widths[i], row.get(i).length());
                }
            }
            for (List<String> row : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.size(); i++) {
                    String cell = row.get(i);
                    boolean numeric = i >= 1 && i <= 5;
                    String pad = " ".repeat(widths[i] - cell.length());
                    line.append(numeric ? pad + cell : cell + pad);
                    if (i < row.size() - 1) {
                        line.append("  ");
                    }
                }
                out.append(line.toString().stripTrailing()).append('\n');
            }
        }
        return out.toString();
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
