# The Rapport image: one image, three roles (`api`, `worker`, `migrate`; `up` for a single container).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY workflows ./workflows
COPY schemas ./schemas
COPY pipelines ./pipelines
USER node
ENTRYPOINT ["node", "bin/rapport.js"]
CMD ["up"]
