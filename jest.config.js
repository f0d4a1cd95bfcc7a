/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking runs once in `npm test` (tsc --noEmit); with isolatedModules in tsconfig
    // ts-jest only transpiles each file, which keeps the suite fast.
    '^.+\\.ts$': ['ts-jest', {}],
  },
  testTimeout: 30000,
};
