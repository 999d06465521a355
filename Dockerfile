# Berth as a container: build everything, then a small runtime image with the binary and the built
# front end, run as a non-root user. Configure it from the environment (README, "Berth on ECS"):
#   docker build -t berth . && docker run -p 8080:8080 -e BERTH_ENVIRONMENTS=prod \
#     -e BERTH_ENV_PROD_REGION=eu-west-1 -v berth-data:/var/lib/berth berth
# (a SQLite file in the volume), or -e BERTH_DATABASE=postgres://… for PostgreSQL and replicas.
# Versions as scripts/install pins them (../shared/TOOLCHAIN.md says why).

FROM rust:1.95-bookworm AS build
ARG TRUNK_VERSION=0.21.14
ARG WASM_BINDGEN_VERSION=0.2.130
ARG BINARYEN_VERSION=132.0.0
RUN apt-get update && apt-get install -y --no-install-recommends zopfli brotli nodejs npm \
    && rm -rf /var/lib/apt/lists/*
# The tools are built quickly rather than optimised (scripts/install does the same).
RUN rustup target add wasm32-unknown-unknown \
    && export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    && cargo install trunk --version "$TRUNK_VERSION" --locked \
    && cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
WORKDIR /src
RUN mkdir -p .local/node && npm install --silent --no-audit --no-fund --prefix .local/node "binaryen@$BINARYEN_VERSION"
COPY . .
RUN scripts/build-frontend && cargo build --release -p berth --locked

FROM debian:bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/berth --create-home berth
COPY --from=build /src/target/release/berth /usr/local/bin/berth
COPY --from=build /src/dist /usr/share/berth/dist
# Amazon RDS's certificate authorities, for `?sslmode=verify-full&sslrootcert=` in BERTH_DATABASE.
ADD --chmod=644 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /usr/share/berth/rds-global-bundle.pem
USER berth
WORKDIR /var/lib/berth
ENV BERTH_LISTEN=0.0.0.0:8080 \
    BERTH_DATABASE=/var/lib/berth/berth.db \
    BERTH_STATIC_DIR=/usr/share/berth/dist \
    BERTH_LOG_FORMAT=json \
    BERTH_HEALTHCHECK_URL=http://127.0.0.1:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["berth", "healthcheck"]
ENTRYPOINT ["berth"]
CMD ["serve"]
