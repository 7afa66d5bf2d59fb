'use strict';
/**
 * Runs one invocation of a bundled handler in its own process, as the Lambda runtime does: the environment is the
 * function's, the event comes from the file named by LOCAL_LAMBDA_EVENT, and the outcome (result or error) is
 * written as JSON to LOCAL_LAMBDA_RESULT. The handler's own logs go to stdout and stderr.
 *   node runner.cjs <bundle.js>
 */
const fs = require('fs');
const crypto = require('crypto');

async function main() {
  const bundle = process.argv[2];
  const event = JSON.parse(fs.readFileSync(process.env.LOCAL_LAMBDA_EVENT, 'utf8'));
  const timeoutMs = Number(process.env.LOCAL_LAMBDA_TIMEOUT_MS || 30000);
  const deadline = Date.now() + timeoutMs;
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: process.env.LOCAL_LAMBDA_ARN,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  let outcome;
  try {
    const { handler } = require(bundle);
    if (typeof handler !== 'function') throw new Error(`${bundle} exports no handler function`);
    outcome = { result: await handler(event, context) };
  } catch (error) {
    outcome = { error: { name: error && error.name, message: error && error.message ? error.message : String(error) } };
  }
  fs.writeFileSync(process.env.LOCAL_LAMBDA_RESULT, JSON.stringify(outcome === undefined ? {} : outcome));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
