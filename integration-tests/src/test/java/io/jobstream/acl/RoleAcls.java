package io.jobstream.acl;

import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;

import io.jobstream.schemas.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs each Jobstream role needs for one queue: the one source of docs/OPERATIONS.md's "Kafka ACLs per role"
 * table and kafka-acls.sh example ({@link RoleAclsDocsTest} fails when they differ) and of the ACLs {@link
 * KafkaAclsIT} creates before it runs the README flow through them. Names are written with {@code <queue>} for the
 * queue; everything else is spelled by {@link Names}.
 */
public final class RoleAcls {
    /** The placeholder for the queue's name in {@link Grant#name()}. */
    public static final String QUEUE = "<queue>";

    /** A Jobstream process that talks to Kafka, and the command that runs it. */
    public enum Role {
        ADMIN("jobstream topics create", "creates the queue's topics"),
        API("jobstream api", "publishes jobs; the job-status projection (Kafka Streams)"),
        WORKER("jobstream worker", "runs jobs: the processor"),
        DLQ_SERVICE(
                "jobstream dlq-service",
                "retry router (Kafka Streams, exactly-once), delay forwarder, replay, alerts, lag monitor; also the"
                        + " `jobstream dlq` and `jobstream lag` commands"),
        SCHEDULER("jobstream scheduler", "fires cron schedules, each tick once (transactional tick log)");

        private final String command;
        private final String does;

        Role(String command, String does) {
            this.command = command;
            this.does = does;
        }

        public String command() {
            return command;
        }

        public String does() {
            return does;
        }
    }

    /** One ALLOW entry: {@code role} may do {@code operations} on the resources {@code name} and {@code pattern} match. */
    public record Grant(
            Role role, ResourceType type, String name, PatternType pattern, List<AclOperation> operations, String why) {

        /** {@link #name()} for {@code queue}. */
        public String name(String queue) {
            return name.replace(QUEUE, queue);
        }
    }

    private static final String Q = QUEUE;

    /** Every grant of every role, in the order of the docs' table. */
    public static final List<Grant> GRANTS = List.of(
            // jobstream topics create
            grant(Role.ADMIN, TOPIC, Q, LITERAL, "the queue topic", CREATE, DESCRIBE),
            grant(
                    Role.ADMIN,
                    TOPIC,
                    Q + ".",
                    PREFIXED,
                    "its `.failed`, `.delay.<tier>`, `.dlq`, `.dlq.replayed`, `.events`",
                    CREATE,
                    DESCRIBE),
            // jobstream api
            grant(
                    Role.API,
                    TOPIC,
                    Q,
                    LITERAL,
                    "publish; the status projection reads ENQUEUED",
                    WRITE,
                    READ,
                    DESCRIBE_CONFIGS),
            grant(
                    Role.API,
                    TOPIC,
                    Q + ".failed",
                    LITERAL,
                    "checked to exist before publishing",
                    DESCRIBE,
                    DESCRIBE_CONFIGS),
            grant(
                    Role.API,
                    TOPIC,
                    Q + ".delay.",
                    PREFIXED,
                    "a delayed job goes straight to its delay tier",
                    WRITE,
                    DESCRIBE_CONFIGS),
            grant(Role.API, TOPIC, Q + ".events", LITERAL, "the status projection's input", READ),
            grant(
                    Role.API,
                    GROUP,
                    Names.STATUS_APPLICATION_ID,
                    LITERAL,
                    "the status projection's Kafka Streams application id",
                    READ),
            grant(
                    Role.API,
                    TOPIC,
                    Names.STATUS_APPLICATION_ID + "-",
                    PREFIXED,
                    "the status projection's internal topics (changelog, repartition)",
                    CREATE,
                    READ,
                    WRITE,
                    DELETE,
                    DESCRIBE_CONFIGS),
            // jobstream worker
            grant(Role.WORKER, TOPIC, Q, LITERAL, "the jobs", READ),
            grant(Role.WORKER, GROUP, named(Names::workerGroup), LITERAL, "the workers' consumer group", READ),
            grant(Role.WORKER, TOPIC, Q + ".failed", LITERAL, "failed attempts", WRITE),
            grant(Role.WORKER, TOPIC, Q + ".events", LITERAL, "outcome events", WRITE),
            grant(
                    Role.WORKER,
                    TOPIC,
                    Q + ".delay.",
                    PREFIXED,
                    "jobs not due yet go back through the delay tiers",
                    WRITE),
            // jobstream dlq-service
            grant(Role.DLQ_SERVICE, TOPIC, Q + ".failed", LITERAL, "the router's input", READ),
            grant(
                    Role.DLQ_SERVICE,
                    TOPIC,
                    Q + ".delay.",
                    PREFIXED,
                    "router writes retries, forwarder reads them",
                    READ,
                    WRITE,
                    DESCRIBE_CONFIGS),
            grant(
                    Role.DLQ_SERVICE,
                    TOPIC,
                    Q,
                    LITERAL,
                    "forwarder and replay write jobs back; lag reads the oldest",
                    READ,
                    WRITE),
            grant(
                    Role.DLQ_SERVICE,
                    TOPIC,
                    Q + ".dlq",
                    LITERAL,
                    "router writes, replay/list/alerts read",
                    READ,
                    WRITE,
                    DESCRIBE_CONFIGS),
            grant(
                    Role.DLQ_SERVICE,
                    TOPIC,
                    Q + ".dlq.replayed",
                    LITERAL,
                    "replay's record of what it replayed",
                    READ,
                    WRITE),
            grant(
                    Role.DLQ_SERVICE,
                    TOPIC,
                    Q + ".events",
                    LITERAL,
                    "RETRY_SCHEDULED, DEAD_LETTERED, REPLAYED events",
                    WRITE),
            grant(
                    Role.DLQ_SERVICE,
                    GROUP,
                    named(Names::dlqRouter),
                    LITERAL,
                    "the router's Streams application id",
                    READ),
            grant(
                    Role.DLQ_SERVICE,
                    TOPIC,
                    named(Names::dlqRouter) + "-",
                    PREFIXED,
                    "the router's internal topic (routed-attempts changelog; read when a store is restored)",
                    CREATE,
                    READ,
                    WRITE,
                    DESCRIBE_CONFIGS),
            grant(
                    Role.DLQ_SERVICE,
                    TRANSACTIONAL_ID,
                    named(Names::dlqRouter) + "-",
                    PREFIXED,
                    "the router's exactly-once producers",
                    WRITE),
            grant(Role.DLQ_SERVICE, GROUP, named(Names::delayForwarderGroup), LITERAL, "the delay forwarder", READ),
            grant(
                    Role.DLQ_SERVICE,
                    TRANSACTIONAL_ID,
                    named(Names::delayForwarderGroup) + "-",
                    PREFIXED,
                    "the delay forwarder's transactional producer (one id per instance)",
                    WRITE),
            grant(
                    Role.DLQ_SERVICE,
                    TRANSACTIONAL_ID,
                    named(Names::dlqReplayTransactionalId),
                    LITERAL,
                    "a replay's transactions",
                    WRITE),
            grant(
                    Role.DLQ_SERVICE,
                    GROUP,
                    named(Names::workerGroup),
                    LITERAL,
                    "the lag monitor reads its offsets",
                    DESCRIBE),
            grant(
                    Role.DLQ_SERVICE,
                    GROUP,
                    Names.DLQ_ALERTS_GROUP,
                    LITERAL,
                    "the dead-letter alert feed (alerts on)",
                    READ),
            // jobstream scheduler
            grant(Role.SCHEDULER, TOPIC, Q, LITERAL, "publishes the schedules' jobs", WRITE),
            grant(
                    Role.SCHEDULER,
                    TOPIC,
                    Names.SCHEDULER_MARKER_TOPIC,
                    LITERAL,
                    "the tick log (created when missing, read by each new leader)",
                    CREATE,
                    READ,
                    WRITE,
                    DESCRIBE_CONFIGS),
            grant(
                    Role.SCHEDULER,
                    TRANSACTIONAL_ID,
                    Names.schedulerTransactionalId(Names.SCHEDULER_MARKER_TOPIC),
                    LITERAL,
                    "a tick and its job in one transaction",
                    WRITE));

    private RoleAcls() {}

    /** A valid queue name standing for {@link #QUEUE} while {@link Names} spells a name. */
    private static final String STAND_IN = "queue-stand-in";

    /** The name {@code naming} gives a queue, with {@link #QUEUE} for the queue's name. */
    private static String named(java.util.function.UnaryOperator<String> naming) {
        return naming.apply(STAND_IN).replace(STAND_IN, QUEUE);
    }

    private static Grant grant(
            Role role, ResourceType type, String name, PatternType pattern, String why, AclOperation... operations) {
        return new Grant(role, type, name, pattern, List.of(operations), why);
    }

    /** The grants of {@code role}. */
    public static List<Grant> of(Role role) {
        return GRANTS.stream().filter(grant -> grant.role() == role).toList();
    }

    /** The ACL bindings of {@code grants} for {@code principal} ({@code User:<name>}) and {@code queue}. */
    public static List<AclBinding> bindings(List<Grant> grants, String principal, String queue) {
        List<AclBinding> bindings = new ArrayList<>();
        for (Grant grant : grants) {
            for (AclOperation operation : grant.operations()) {
                bindings.add(new AclBinding(
                        new ResourcePattern(grant.type(), grant.name(queue), grant.pattern()),
                        new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
            }
        }
        return bindings;
    }

    /** The docs' table: role, resource type, name, pattern type, operations, what for. */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder(
                "| role | resource | name | pattern | operations | for |\n|---|---|---|---|---|---|\n");
        for (Grant grant : GRANTS) {
            table.append("| `")
                    .append(grant.role().command())
                    .append("` | ")
                    .append(lower(grant.type().name()))
                    .append(" | `")
                    .append(grant.name())
                    .append("` | ")
                    .append(lower(grant.pattern().name()))
                    .append(" | ")
                    .append(grant.operations().stream().map(RoleAcls::operation).collect(Collectors.joining(", ")))
                    .append(" | ")
                    .append(grant.why().replace("|", "\\|"))
                    .append(" |\n");
        }
        return table.toString();
    }

    /** {@code kafka-acls.sh} commands granting every role its ACLs for {@code queue}, one principal per role. */
    public static String kafkaAclsScript(String queue) {
        StringBuilder script = new StringBuilder();
        for (Role role : Role.values()) {
            script.append("# ")
                    .append(role.command())
                    .append(": ")
                    .append(role.does())
                    .append('\n');
            for (Grant grant : of(role)) {
                script.append("kafka-acls.sh --bootstrap-server \"$KAFKA\" --command-config admin.properties --add")
                        .append(" --allow-principal User:")
                        .append(principal(role))
                        .append(" \\\n    ");
                for (AclOperation operation : grant.operations()) {
                    script.append("--operation ").append(operation(operation)).append(' ');
                }
                script.append(option(grant.type()))
                        .append(' ')
                        .append(grant.name(queue))
                        .append(grant.pattern() == PREFIXED ? " --resource-pattern-type prefixed" : "")
                        .append('\n');
            }
        }
        return script.toString();
    }

    /** The user name the docs' example gives {@code role}: {@code jobstream-api}, {@code jobstream-dlq-service}... */
    public static String principal(Role role) {
        return "jobstream-" + lower(role.name()).replace('_', '-');
    }

    private static String option(ResourceType type) {
        return switch (type) {
            case TOPIC -> "--topic";
            case GROUP -> "--group";
            case TRANSACTIONAL_ID -> "--transactional-id";
            default -> throw new IllegalArgumentException("no kafka-acls.sh option for " + type);
        };
    }

    private static String operation(AclOperation operation) {
        // kafka-acls.sh spells them as Kafka's docs do: Read, Write, Create, Describe, DescribeConfigs...
        String[] words = lower(operation.name()).split("_");
        StringBuilder spelled = new StringBuilder();
        for (String word : words) {
            spelled.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return spelled.toString();
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
