# syntax=docker/dockerfile:1
# One image for every Pasar process; each k8s Deployment picks its entry point:
# `node --enable-source-maps dist/workers/<api|temporal-worker|outbox-relay|consumers|carrier-link>.js`,
# and `dist/scripts/migrate.js` brings the stores to the code's schema.
#
# build:   every dependency, the Prisma client generated, types checked, TypeScript compiled to
#          dist/ and the Temporal workflow bundle prebuilt (scripts/build.ts)
# runtime: production dependencies only, compiled JavaScript, no tsx, no compiler, non-root.
#
# Machines without a Docker engine replay the runtime stage with scripts/image/assemble-runtime.ts
# (tests/integration/compiled-processes.test.ts): keep to WORKDIR, ENV, COPY [--from=build] and
# RUN there. No HEALTHCHECK: each process serves /healthz and /readyz on its own port, which the
# Kubernetes probes in k8s/ ask; a single Docker HEALTHCHECK could only know one of them.
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: @prisma/engines' install script downloads engines these builds never use.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN bash scripts/prisma-generate.sh && npm run typecheck && npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/image/prune-dev-optional.mjs ./scripts/image/
# The npm cache is a build-time mount, so it never lands in the layer.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && node scripts/image/prune-dev-optional.mjs . && rm -r scripts
COPY --from=build /app/dist ./dist
# Read at run time relative to the working directory: the operator dashboard's and the API docs'
# static pages (Swagger UI itself comes from node_modules/swagger-ui-dist), and
# the SQL migrations (Postgres, ClickHouse) that dist/scripts/migrate.js applies and checks
# (scripts/lib/migrations.ts; the pasar-migrate Job and every pod's initContainer run it).
COPY api/dashboard/page.html api/dashboard/page.js api/dashboard/page.css ./api/dashboard/
COPY api/docs/page.html api/docs/boot.js ./api/docs/
COPY prisma/migrations ./prisma/migrations
COPY services/analytics/clickhouse ./services/analytics/clickhouse
USER node
EXPOSE 3000 3001 3002 3003 3004 3005
CMD ["node", "--enable-source-maps", "dist/workers/api.js"]
