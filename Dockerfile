# syntax=docker/dockerfile:1
# One image for every role: the command picks it (streams, agent, executor, topics create, ...).
#   docker build -t lm-advisor:local .
#   docker run --rm lm-advisor:local --help

# ---- build: the Maven Wrapper on a JDK 17, tests skipped (CI runs them) ----
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 between builds, so only changed sources cost time.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -pl cli -am package -DskipTests

# ---- runtime: a JRE 17, the thin jar and its lib/ ----
FROM eclipse-temurin:17-jre
# curl for health checks; libgomp1 for XGBoost's native library (Tribuo).
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl libgomp1 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 lmadvisor \
 && useradd --system --uid 10001 --gid lmadvisor --home-dir /var/lib/lm-advisor --no-create-home lmadvisor \
 && mkdir -p /var/lib/lm-advisor/state \
 && chown -R lmadvisor:lmadvisor /var/lib/lm-advisor
WORKDIR /opt/lm-advisor
COPY --from=build /src/cli/target/lib/ lib/
COPY --from=build /src/cli/target/lm-advisor.jar lm-advisor.jar
# Inside a container the HTTP endpoints must listen on every interface to be reachable at all;
# publish them on the host's loopback (compose does: 127.0.0.1:8080:8080).
ENV LM_HTTP_BIND=0.0.0.0
USER 10001:10001
EXPOSE 8080
# Heap follows the container's memory limit; JAVA_TOOL_OPTIONS adds to it.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/lm-advisor/lm-advisor.jar"]
CMD ["--help"]
