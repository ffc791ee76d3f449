/**
 * Projects: `unit` (shared modules, emulator and node logic over real HTTP), `faults` (the fault suite:
 * same setup, 1,000-item runs under injected faults), `e2e` (real n8n),
 * `queue` (real n8n in queue mode: Redis + main + worker; needs redis-server, see scripts/install-redis.sh)
 * and `browser` (`npm start` driven in Chromium; needs scripts/install-chromium.sh).
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] };
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'faults',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    },
    {
      displayName: 'browser',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/browser/**/*.browser.test.ts'],
    },
    {
      displayName: 'queue',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/queue/**/*.test.ts'],
    },
  ],
};
