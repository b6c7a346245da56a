# One image holding the four services; docker-compose.yml and deploy/k8s pick the executable.
#   docker build --target runtime -t ecommerce-backend .   (build + runtime; compose does this)
#   docker build --target test .                           (the test suites, as CI runs them)
# The test stage comes last so that builders which run every stage before the target (the
# legacy builder, docker-compose 1.29's) do not run the tests to build the runtime image.

# Build: the Swift toolchain, the C libraries of the system-library targets, a release build.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so source edits do not fetch them again.
COPY Package.swift ./
RUN swift package resolve
# Only what the build reads, so an edit to docs or scripts does not rebuild the services.
COPY Shared Shared
COPY Services Services
COPY Gateway Gateway
COPY Tests Tests
COPY bench/BenchTool bench/BenchTool
# Debug information is stripped (145 MB to 103 MB a binary); symbols stay, for backtraces.
RUN swift build -c release --static-swift-stdlib \
    && mkdir -p /out \
    && for service in user-service product-service order-service gateway; do \
         cp "$(swift build -c release --show-bin-path)/$service" /out/; \
       done \
    && strip --strip-debug /out/*

# Runtime: a slim Debian with only the shared libraries the services link.
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 libcurl4 ca-certificates curl tzdata iputils-ping \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app app \
    && mkdir -p /app/data && chown app /app/data
COPY --from=build /out/ /usr/local/bin/
COPY database /app/database
COPY docs/openapi /app/docs/openapi
COPY Gateway/Dashboard /app/Gateway/Dashboard
WORKDIR /app
USER app
# Listen on every interface inside the container; STACK_DIR holds a generated signing key.
ENV HOST=0.0.0.0 STACK_DIR=/app/data
EXPOSE 8080 8081 8082 8083
# Each service listens on PORT; compose and Kubernetes set it, with their own checks too.
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
    CMD curl -fsS "http://127.0.0.1:${PORT:-8080}/health/live" || exit 1
CMD ["gateway"]

# Test: `make test`, the command CI runs; it starts (as the postgres user) and stops its own server.
FROM build AS test
COPY . .
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql postgresql-contrib make curl python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
RUN make test
