# The Rapport image: one image, three roles (`api`, `worker`, `migrate`; `up` for a single container).
# Built in two stages: the first compiles TypeScript and bundles the workflows ahead of time
# (`npm run build`); the second holds only production dependencies and the build, so `rapport worker`
# loads the prebuilt workflow bundle instead of running webpack at start.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY schemas ./schemas
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY src/db/migrations ./src/db/migrations
COPY src/console/assets ./src/console/assets
COPY schemas ./schemas
COPY pipelines ./pipelines
USER node
ENTRYPOINT ["node", "bin/rapport.js"]
CMD ["up"]
