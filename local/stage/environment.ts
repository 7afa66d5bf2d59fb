/**
 * Where local ARNs say they are. Local mode takes the stage's own account and region (its placeholders unless the
 * stage config names real ones), so names built from them match the deployment's; nothing local calls AWS.
 */
export interface LocalEnvironment {
  readonly account: string;
  readonly region: string;
}

/** The environment of local ARNs when no stage names one (the executor run on its own, in tests). */
export const DEFAULT_LOCAL_ENVIRONMENT: LocalEnvironment = { account: '000000000000', region: 'us-east-1' };
