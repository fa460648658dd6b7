# The ledger API (and, with another command, the projector) as a production image: compiled JavaScript,
# production dependencies only, a non-root user, and a health check on the liveness endpoint.
#
#   docker build -t credit-ledger .
#   docker run -p 3000:3000 -v ledger-data:/data \
#     -e LEDGER_ID_HASH_KEY=... -e LEDGER_API_KEYS=operator:ops:... credit-ledger
#
# See docker-compose.yml for EventStoreDB, and docs/runbook.md for operating it.

# Native modules (better-sqlite3) compile here when no prebuilt binary can be fetched.
FROM node:20-bookworm-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# Stage 1: every dependency, then the TypeScript build and the dashboard bundle.
FROM toolchain AS build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && mkdir -p release/scripts \
 && cp -rp dist package.json tsconfig.json release/ \
 && cp -p scripts/backup.js release/scripts/ \
 && if [ -f scripts/build-dashboard.js ]; then \
      node scripts/build-dashboard.js \
      && mkdir -p release/apps/ledger-api \
      && cp -p scripts/build-dashboard.js release/scripts/ \
      && cp -rp apps/ledger-api/dashboard apps/ledger-api/public release/apps/ledger-api/; \
    fi

# Stage 2: production dependencies only (tsconfig-paths among them: it resolves the @ledger/* aliases).
FROM toolchain AS production-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Stage 3: the runtime, without compilers, sources or dev dependencies.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    LEDGER_CLOCK=system \
    TS_NODE_BASEURL=./dist \
    PORT=3000 \
    LEDGER_SQLITE_PATH=/data/ledger.sqlite \
    LEDGER_READ_MODEL_PATH=/data/ledger.read-models.sqlite \
    LEDGER_PROJECTIONS=worker \
    NODE_OPTIONS=--max-old-space-size=384
WORKDIR /app
COPY --from=production-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/release ./
# The application files stay owned by root and read-only to the service; only /data is writable.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The projector runs from the same image with the command
# `node -r tsconfig-paths/register dist/apps/ledger-api/src/projector.js` (see docker-compose.yml).
CMD ["node", "-r", "tsconfig-paths/register", "dist/apps/ledger-api/src/main.js"]
