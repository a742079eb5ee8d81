package io.jobstream.schemas;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * The generated Avro classes that decoding may load by name.
 *
 * <p>Since Avro 1.12.2 a {@code SpecificDatumReader} loads a record, enum or fixed class named in a schema only when
 * {@link ClassSecurityValidator} trusts it; by default it trusts a few {@code java.*} types and whatever the
 * {@code org.apache.avro.SERIALIZABLE_PACKAGES}/{@code SERIALIZABLE_CLASSES} system properties name. Jobstream trusts
 * exactly the named types of the reader schemas it decodes into (its own {@code Job}, {@code JobFailure}, … and a
 * handler's Avro payload class), never a class a writer schema names: {@link #trust(Schema)} adds them to one
 * predicate installed beside the process's existing global predicate, so an application's own settings keep working.
 *
 * <p>Thread-safe; trusting is idempotent.
 */
public final class TrustedAvroTypes {
    private static final Set<String> TRUSTED = ConcurrentHashMap.newKeySet();
    private static final ClassSecurityPredicate PREDICATE = type -> TRUSTED.contains(type.getName());
    private static volatile boolean installed;

    private TrustedAvroTypes() {}

    /**
     * Trusts Jobstream's own records ({@link Job}, {@link JobFailure}, {@link DeadLetter}, {@link JobEvent} and the
     * types they name). Every codec does this when it is made; code that copies a record with {@code newBuilder(other)}
     * (which loads classes by name) before any codec exists calls it first.
     */
    public static void trustJobstreamRecords() {
        trust(Job.getClassSchema());
        trust(JobFailure.getClassSchema());
        trust(DeadLetter.getClassSchema());
        trust(JobEvent.getClassSchema());
    }

    /** Trusts the record, enum and fixed types {@code readerSchema} names (itself and every nested one). */
    public static void trust(Schema readerSchema) {
        Deque<Schema> pending = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        pending.push(readerSchema);
        while (!pending.isEmpty()) {
            Schema schema = pending.pop();
            switch (schema.getType()) {
                case RECORD -> {
                    if (seen.add(schema.getFullName())) {
                        schema.getFields().forEach(field -> pending.push(field.schema()));
                    }
                }
                case ENUM, FIXED -> seen.add(schema.getFullName());
                case ARRAY -> pending.push(schema.getElementType());
                case MAP -> pending.push(schema.getValueType());
                case UNION -> schema.getTypes().forEach(pending::push);
                default -> {}
            }
        }
        TRUSTED.addAll(seen);
        install();
    }

    /** Whether decoding may load {@code type} (for tests and diagnostics). */
    public static boolean isTrusted(Class<?> type) {
        return ClassSecurityValidator.getGlobal().isTrusted(type);
    }

    private static void install() {
        if (installed) {
            return;
        }
        synchronized (TrustedAvroTypes.class) {
            if (!installed) {
                ClassSecurityValidator.setGlobal(
                        ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), PREDICATE));
                installed = true;
            }
        }
    }
}
