/** Environment variables of the system-test functions (set by lib/constructs/system-test.ts). */

/** The invoke function's: the role to invoke the endpoint with, when the endpoint is in another account. */
export const ENDPOINT_ROLE_ARN_VARIABLE = 'ENDPOINT_ROLE_ARN';

/** The invoke function's: the endpoint's region, when it is not the function's. */
export const ENDPOINT_REGION_VARIABLE = 'ENDPOINT_REGION';
