# finetune-bot: the Slack bot, run from its TypeScript sources as `npm start` does (Node 24 strips the types;
# there is no build step). Build: docker build -t finetune-bot . ; deploy/ shows it on Kubernetes.
FROM node:24-bookworm-slim

# DejaVu Sans is the charts' font (src/charts/theme.ts): resvg rasterises them with the system fonts, and the
# slim image has none.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so a change to the sources reuses this layer. --ignore-scripts: the only install scripts
# are ssh2's optional native crypto (cpu-features), which needs a compiler; ssh2 falls back to its JavaScript.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# What the running bot reads: its sources, the CLI's launcher, and the trainer it copies to GPU hosts.
COPY bin/ bin/
COPY src/ src/
COPY handlers/ handlers/
COPY trainer/ trainer/

# The default store is SQLite in ./data (DATABASE_URL=sqlite:./data/finetune-bot.db): writable by the bot's
# user only. At scale, set DATABASE_URL to PostgreSQL instead (deploy/).
RUN mkdir -p /app/data && chown 1000:1000 /app/data

# The image's `node` user, by number, so Kubernetes' runAsNonRoot can check it is not root.
USER 1000:1000

# Slack requests (HTTP mode), GET /healthz and GET /metrics.
EXPOSE 3000

# For plain Docker; Kubernetes ignores it and uses the probes in deploy/deployment.yaml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# What `npm start` runs, without npm in between, so SIGTERM reaches the bot itself and its graceful stop runs
# (npm start's bin/check-node.cjs is not needed: this image is Node 24).
# node:sqlite is still experimental on Node 22; its warning is not the bot's to show.
CMD ["node", "--disable-warning=ExperimentalWarning", "src/main.ts"]
