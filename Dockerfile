# syntax=docker/dockerfile:1
# One image for every Jobstream role: the subcommand picks it. It carries the service jar only
# (cli/target/jobstream.jar, 44.6 MB): no broker, no benchmark, no test kit (`jobstream dev` runs from a checkout).
#   docker run jobstream api --port 8080          # HTTP ingest API (+ /health, /ready, /metrics on 8080)
#   docker run jobstream worker --queue jobs      # runs jobs; admin port 9400 (/health, /ready, /metrics)
#   docker run jobstream dlq-service --queue jobs # retries, delay tiers, dead letters, lag monitor; admin port 9400
#   docker run jobstream scheduler --config /etc/jobstream/scheduler.yaml
#   docker run jobstream topics create --queue jobs --partitions 12 --replication 3
# Configuration comes from JOBSTREAM_* env vars (see README "Configuration") or a mounted --config file.

FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
# CI=true: the build checks formatting instead of rewriting sources.
ENV CI=true
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY build/ build/
COPY schemas/ schemas/
COPY runtime/ runtime/
COPY coordination/ coordination/
COPY producer/ producer/
COPY api/ api/
COPY scheduler/ scheduler/
COPY processor/ processor/
COPY dlq-service/ dlq-service/
COPY testkit-registry/ testkit-registry/
COPY testkit/ testkit/
COPY cli/ cli/
# Not in the image, but modules of the build (Maven reads every module's pom); -pl cli builds none of them.
COPY dev/ dev/
COPY bench/ bench/
COPY integration-tests/ integration-tests/
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q package -DskipTests -pl cli -am \
    && cp cli/target/jobstream.jar /jobstream.jar

FROM eclipse-temurin:21-jre
# curl for the container health checks (GET /health on the admin port).
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 jobstream \
    && useradd --system --uid 10001 --gid jobstream --home-dir /app --shell /usr/sbin/nologin jobstream \
    && mkdir -p /app /etc/jobstream \
    && chown jobstream:jobstream /app
COPY --from=build --chown=jobstream:jobstream /jobstream.jar /app/jobstream.jar
WORKDIR /app
USER 10001:10001
# Container-aware heap sizing; override with JAVA_TOOL_OPTIONS.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# The API's port (`api --port 8080`, which also serves /health, /ready, /metrics). Other roles serve their
# admin endpoint on jobstream.runtime.admin.port (9400 unless --admin-port / JOBSTREAM_RUNTIME_ADMIN_PORT says otherwise).
EXPOSE 8080 9400
ENTRYPOINT ["java", "-jar", "/app/jobstream.jar"]
CMD ["--help"]
