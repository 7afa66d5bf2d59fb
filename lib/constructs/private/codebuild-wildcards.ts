import type { PolicyWildcard } from '../nag-acknowledgements';

/**
 * The reason for a wildcard that the CodeBuild L2 puts in every project's role, or undefined for any other: report
 * groups named after the project, its log streams (in its own group and CodeBuild's default
 * `/aws/codebuild/<project>` group, which the L2 always grants), and the KMS action families on the project's key.
 */
export function codeBuildWildcardReason(wildcard: PolicyWildcard): string | undefined {
  const { kind, rendered } = wildcard;
  if (kind === 'resource' && /:report-group\/<[^>]+>-\*$/.test(rendered)) {
    return 'CodeBuild report groups of this project only (CodeBuild names them <project>-<report>).';
  }
  if (kind === 'resource' && /^<[^>]*Logs[^>]*\.Arn>:\*$/.test(rendered)) {
    return 'Log streams of this project\'s own log group (one per build).';
  }
  if (kind === 'resource' && /:log-group:\/aws\/codebuild\/<[^>]+>:\*$/.test(rendered)) {
    return 'Log streams of CodeBuild\'s default log group of this project, which the CodeBuild L2 always grants.';
  }
  if (kind === 'action' && /^kms:(GenerateDataKey|ReEncrypt)\*$/.test(rendered)) {
    return 'The kms:GenerateDataKey* and kms:ReEncrypt* families, on the project\'s own key only (artifacts, cache).';
  }
  return undefined;
}
