# cardops in a container: docker build -t cardops . && docker run --env-file .env \
#   -v cardops-data:/data -v "$PWD/policy.yml:/app/policy.yml:ro" -p 3000:3000 cardops
# Reload the policy: docker kill --signal=HUP <container> (node is PID 1's only process).

# --- build: native better-sqlite3 and dist/ --------------------------------------------
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the sources are not here yet for `prepare`; the build runs below.
RUN npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3 esbuild
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.mjs

# --- run: no compiler, no npm cache, not root ---------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DATABASE_PATH=/data/cardops.db \
    POLICY_FILE=/app/policy.yml \
    PORT=3000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json policy.example.yml ./
RUN install -d -o node -g node -m 0750 /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# HTTP mode serves /healthz on PORT; in Socket Mode set HEALTH_PORT=3000 for the same probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node directly (not npm): SIGTERM from `docker stop` reaches the bot, which stops gracefully.
CMD ["node", "dist/main.js"]
