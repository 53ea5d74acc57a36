# One image for every Pasar process; k8s/ picks the entry point (workers/*.ts) per Deployment.
FROM node:20.20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN bash scripts/prisma-generate.sh
USER node
CMD ["node", "--import", "tsx", "workers/api.ts"]
