# One image for the bot and the worker: `node dist/bundle/bot.js` (the default) or `node dist/bundle/worker.js`.

# Build stage: every dependency, then tsc to dist/.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
COPY migrations ./migrations
COPY scripts ./scripts
RUN npm run build

# Runtime stage: production dependencies and the compiled code only; no compiler, no sources, no .env.
FROM node:24-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
# Both processes stop cleanly on SIGTERM (the worker finishes its drafts, for up to 25 s).
STOPSIGNAL SIGTERM
CMD ["node", "dist/bundle/bot.js"]
