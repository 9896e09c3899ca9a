# Debrief container image.
#
#   docker build -t debrief .
#   docker run -p 3000:3000 -v debrief-data:/data \
#     -e SLACK_BOT_TOKEN=... -e SLACK_SIGNING_SECRET=... debrief
#
# Without DATABASE_URL the app uses the embedded database (PGlite) under DATA_DIR=/data: mount a
# volume there and run ONE container per volume (PGlite must not be shared between processes).
# With DATABASE_URL set, /data is unused and any number of replicas may run.
# The app handles SIGTERM itself as PID 1; `docker run --init` is optional.

# ---- build: all dependencies, compile TypeScript into dist/ -------------------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# ---- runtime: production dependencies + compiled output, non-root ----------------------------------
FROM node:22-bookworm-slim AS runtime
# MALLOC_ARENA_MAX=2: glibc otherwise gives V8's helper threads malloc arenas of their own, which keep
# what they freed (15-23 MB of peak RSS under load; README, Benchmark). `npm start` sets it too.
ENV NODE_ENV=production DATA_DIR=/data PORT=3000 MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# dist/src (the app, entry dist/src/cli.js) and dist/migrations (run at start-up and by `migrate`)
COPY --from=build /app/dist ./dist
# The data directory must exist and belong to `node` before it is declared a volume.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# Slim images have no curl or wget: probe with Node's own fetch, on the port the app listens on.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The same command as `npm start`, which `npm run bench` measures (README, Benchmark).
CMD ["node", "--heap-growing-percent=25", "dist/src/cli.js", "serve"]
