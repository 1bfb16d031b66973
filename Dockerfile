# Viewfinder: one process, data in the /data volume (SQLite + media + secret key).
# Build: docker build -t viewfinder .
# Run:   docker run -p 3000:3000 -v viewfinder-data:/data -e VIEWFINDER_PUBLIC_URL=https://photos.example viewfinder

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Fixes to pinned dependencies, applied by npm ci's postinstall (patch-package): see patches/README.md.
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown node:node /data
WORKDIR /app
ENV NODE_ENV=production \
    VIEWFINDER_DATA_DIR=/data \
    VIEWFINDER_HOST=0.0.0.0 \
    VIEWFINDER_PORT=3000
COPY --from=deps /app/node_modules ./node_modules
# TypeScript runs as-is on Node 24 (type stripping): no build step.
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY server ./server
COPY federation ./federation
COPY migrations ./migrations
COPY media ./media
COPY web ./web
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/viewfinder"]
CMD ["serve"]
