/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': 'ts-jest',
  },
  // Unit tests skip aws-cdk-lib's offline CloudFormation validator; `cdk synth` in CI keeps it on.
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // One line when the browser tests are skipped (no Chromium here), saying how to run them.
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 120000,
  // JUnit output for CodeBuild's test reports, only when asked (scripts/ci/build.sh sets it with CI_REPORTS_DIR).
  ...(process.env.JEST_JUNIT_OUTPUT_DIR ? { reporters: ['default', 'jest-junit'] } : {}),
};
