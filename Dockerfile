# syntax=docker/dockerfile:1
#
# Clearance image: one image, two processes.
#   API:    node dist/apps/api/main.js      (default CMD, listens on $PORT, default 3000)
#   Worker: node dist/apps/worker/main.js   (override the command; no port)
#
# Build:  docker build -t clearance .

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: install all dependencies, compile TypeScript, bundle workflows, drop dev dependencies ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# better-sqlite3 compiles from source (node-gyp needs python3, make and g++).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# npm 10 (bundled with Node 20) ignores package.json "allowScripts" and runs
# install scripts, which better-sqlite3 needs.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

COPY . .
RUN npm run build

# Bundle the workflow code once at build time; the worker loads
# dist/workflow-bundle.js when it exists instead of running webpack on start.
RUN npm run bundle:workflows

RUN npm prune --omit=dev --no-audit --no-fund

# --- runtime: compiled output and production dependencies only ---
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app

# package.json also marks the project root the app resolves paths from.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# Unprivileged user shipped with the node image (uid 1000).
USER node

EXPOSE 3000
# No HEALTHCHECK here: the worker runs from the same image and has no HTTP port.
# The API's healthcheck (GET /health/ready) is declared in docker-compose.yml.
CMD ["node", "dist/apps/api/main.js"]
