# Production image for the API and the worker (one image, two commands). Debian-based: Temporal's core bridge
# is a glibc native module, so Alpine/musl images do not work. Node 24 (LTS): Node 20 reached end of life on
# 2026-04-30, and npm test passes on 24 (docs/decisions.md, "Node in production").
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
# Type-checks the sources and prebuilds the workflow bundle, so workers start without webpack.
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY bin ./bin
COPY --from=build /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
USER node
EXPOSE 3000 3001
# Role `api` or `worker`; both need TEMPORAL_ADDRESS (no embedded dev server in production). Node runs as PID 1,
# not under npm: npm would pass `docker stop`'s SIGTERM to a shell that dies without forwarding it, so the worker
# would be killed mid-activity instead of draining (test/integration/shutdown.test.ts).
CMD ["node", "--import", "tsx", "src/main.ts", "api"]
