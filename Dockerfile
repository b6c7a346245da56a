# syntax=docker/dockerfile:1
# One image holding the four services; docker-compose.yml and deploy/k8s pick the executable.
#   docker build -t ecommerce-backend .                 (build + runtime)
#   docker build --target test .                        (the test suites, as CI runs them)

# Build: the Swift toolchain, the C libraries of the system-library targets, a release build.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so source edits do not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY . .
RUN swift build -c release --static-swift-stdlib \
    && mkdir -p /out \
    && for service in user-service product-service order-service gateway; do \
         cp "$(swift build -c release --show-bin-path)/$service" /out/; \
       done

# Test: `make test`, the command CI runs; it starts (as the postgres user) and stops its own server.
FROM build AS test
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql postgresql-contrib make curl python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
RUN make test

# Runtime: a slim Debian with only the shared libraries the services link.
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 libcurl4 ca-certificates curl tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app app \
    && mkdir -p /app/data && chown app /app/data
COPY --from=build /out/ /usr/local/bin/
COPY database /app/database
COPY docs/openapi /app/docs/openapi
WORKDIR /app
USER app
# Listen on every interface inside the container; STACK_DIR holds a generated signing key.
ENV HOST=0.0.0.0 STACK_DIR=/app/data
EXPOSE 8080 8081 8082 8083
CMD ["gateway"]
