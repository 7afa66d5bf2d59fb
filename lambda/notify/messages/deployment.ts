import { RESOLVE_MODEL_VARIABLES, TEST_REPORT_VARIABLES } from '../../deploy/variables';
import type { CodePipelineExecutionStateChangeEvent } from '../event';
import { durationBetween, facts, formatTime, messageBody, parseTime, quoted, section, subjectLine } from '../format';
import * as links from '../links';
import type { DeploymentActionSummary, DeploymentDetails, Notification } from '../notification';
import { footer } from './common';

/**
 * The model deployment pipeline succeeded (the model version now in production, its system test, who approved it),
 * failed (the failed stage and action, its error, what to do for that kind of action) or was stopped. The version
 * and the test come from the output variables of the pipeline's own Lambda actions (lambda/deploy/variables.ts), as
 * ListActionExecutions returns them; what was not read is said, not skipped.
 */
export function deploymentMessage(
  event: CodePipelineExecutionStateChangeEvent,
  details: DeploymentDetails | undefined,
): Notification {
  const { detail, region } = event;
  const pipeline = detail.pipeline;
  const executionId = detail['execution-id'];
  const actions = sortedActions(details?.actions ?? []);
  const version = modelVersionOf(actions);
  const test = variablesOf(actions, TEST_REPORT_VARIABLES.summary)?.[TEST_REPORT_VARIABLES.summary];
  const approval = actions.find((action) => action.input?.actionTypeId?.category === 'Approval');
  const executionUrl = links.codePipelineExecutionUrl(region, pipeline, executionId);
  const startAgain = `aws codepipeline start-pipeline-execution --name ${pipeline} --region ${region}`;
  const notRead =
    details === undefined
      ? "the execution's actions were not read"
      : details.problem !== undefined
        ? `the execution's actions could not be read: ${details.problem}`
        : 'no action of the execution exported it';

  const where = facts([
    ['Pipeline', `${pipeline} (the model deployment pipeline)`],
    ['Execution', executionId],
    [
      'Model version',
      version === undefined ? `unknown (${notRead})` : `${version.group}, version ${version.number}\n${version.arn}`,
    ],
    ['System test', test],
    ['Approval', approval === undefined ? undefined : approvalText(approval)],
    ['Started by', triggerText(details, detail['execution-trigger'])],
    ['Account', event.account],
    ['Region', region],
    ['When', formatTime(event.time)],
  ]);
  const nameWidth = Math.max(0, ...actions.map((action) => actionName(action).length)) + 2;
  const actionLines = section(
    'Actions',
    actions.map((action) => actionLine(action, nameWidth)),
  );
  const linkLines = (extra: readonly string[] = []) =>
    section('Links', [`The execution in the CodePipeline console: ${executionUrl}`, ...extra]);
  const which = version === undefined ? 'the model version it resolved' : `version ${version.number} of ${version.group}`;

  if (detail.state === 'SUCCEEDED') {
    return {
      kind: 'deployment-succeeded',
      subject: subjectLine(
        version === undefined
          ? `Succeeded: deployment pipeline ${pipeline}, execution ${executionId}`
          : `In production: ${version.group} version ${version.number} (${pipeline})`,
      ),
      message: messageBody([
        version === undefined
          ? `The deployment pipeline ${pipeline} finished execution ${executionId} successfully: the model version it ` +
            `resolved is in production. Which version is not said here (${notRead}); the execution's resolve ` +
            'action shows it (link below).'
          : `Model version ${version.number} of ${version.group} is in production: the deployment pipeline ${pipeline} ` +
            `finished execution ${executionId} successfully.`,
        test === undefined ? undefined : `It passed its system test on the staging endpoint: ${test}.`,
        where,
        actionLines,
        section('What to do next', [
          '- Nothing is required. Watch the production endpoint\'s alarms for the first hours.',
          '- To go back to the previous version: reject this one in the model registry, then start the pipeline again',
          '  (it deploys the latest version that is still Approved):',
          ...(version === undefined
            ? ['    aws sagemaker update-model-package --model-package-arn <this version\'s ARN> ' +
                `--model-approval-status Rejected --approval-description "<why>" --region ${region}`]
            : [`    aws sagemaker update-model-package --model-package-arn ${version.arn} ` +
                `--model-approval-status Rejected --approval-description "<why>" --region ${region}`]),
          `    ${startAgain}`,
        ]),
        linkLines(),
        footer(event),
      ]),
    };
  }

  if (detail.state === 'STOPPED') {
    const comments = detail['stop-execution-comments']?.trim();
    const said = details?.execution?.statusSummary?.trim();
    return {
      kind: 'deployment-stopped',
      subject: subjectLine(`Stopped: deployment pipeline ${pipeline}, execution ${executionId}`),
      message: messageBody([
        `Execution ${executionId} of the deployment pipeline ${pipeline} was stopped before it finished, while ` +
          `deploying ${which}.`,
        where,
        section('Why', [
          comments
            ? `It was stopped with the comment ${quoted(comments)}.`
            : said
              ? `CodePipeline says: ${quoted(said, 1000)}.`
              : 'Someone or something called StopPipelineExecution on it; CloudTrail shows who. The comment given ' +
                'when stopping is in the execution\'s history (link below).',
        ]),
        actionLines,
        section('What to do next', [
          '- If the stop was intended, nothing. An action stopped mid-way (a CloudFormation deployment) finishes or',
          '  rolls back on its own; the endpoints keep serving what they served.',
          '- Otherwise start the pipeline again (it deploys the latest Approved version):',
          `    ${startAgain}`,
        ]),
        linkLines(),
        footer(event),
      ]),
    };
  }

  // FAILED
  const failed = actions.filter((action) => action.status === 'Failed');
  const first = failed[0];
  const rejection = first?.input?.actionTypeId?.category === 'Approval' ? first : undefined;
  const at = first === undefined ? undefined : actionName(first);
  const named = version === undefined ? `deployment pipeline ${pipeline}` : `${version.group} version ${version.number}`;
  let kind: Notification['kind'];
  let subject: string;
  let headline: string;
  if (rejection !== undefined) {
    kind = 'deployment-rejected';
    subject = `REJECTED: ${named} not promoted to production`;
    headline =
      `Promotion to production was rejected at ${at}${rejection.updatedBy ? ` by ${rejection.updatedBy}` : ''}: ` +
      `${which} stays on the staging endpoint only, and production keeps its current model.`;
  } else {
    kind = 'deployment-failed';
    const deploying = version === undefined ? named : `deploying ${named}`;
    subject = `FAILED: ${deploying}${at === undefined ? `, execution ${executionId}` : ` at ${at}`}`;
    const place = first === undefined ? '' : ` at stage ${first.stageName ?? '?'}, action ${first.actionName ?? '?'}`;
    headline = `Execution ${executionId} of the deployment pipeline ${pipeline} failed${place} while deploying ${which}.`;
  }
  const statusSummary = details?.execution?.statusSummary?.trim();
  const unnamed = actions.length === 0 ? notRead : 'CodePipeline lists no failed action';
  const why =
    failed.length > 0
      ? failed.map((action) => failedActionText(action))
      : [
          statusSummary
            ? `CodePipeline lists no failed action; it says: ${quoted(statusSummary, 1000)}`
            : `The failed action is not named here (${unnamed}): the execution in the console shows it (link below).`,
        ];
  const retry =
    first === undefined
      ? []
      : [
          '- After fixing the cause, retry the failed actions of that stage:',
          `    aws codepipeline retry-stage-execution --pipeline-name ${pipeline} ` +
            `--stage-name ${first.stageName ?? '<stage>'} --pipeline-execution-id ${executionId} ` +
            `--retry-mode FAILED_ACTIONS --region ${region}`,
        ];
  const again =
    rejection !== undefined
      ? ['- If the rejection was a mistake, start a new execution and approve it this time:', `    ${startAgain}`]
      : [...retry, '- Or start a new execution (it deploys the latest Approved version):', `    ${startAgain}`];
  return {
    kind,
    subject: subjectLine(subject),
    message: messageBody([
      headline,
      where,
      section('Why', why),
      actionLines,
      section('What to do next', [...nextSteps(first, region, version?.arn), ...again]),
      linkLines(failed.flatMap((action) => actionLinks(action, region))),
      footer(event),
    ]),
  };
}

interface ModelVersion {
  readonly group: string;
  readonly number: string;
  readonly arn: string;
}

/** The version the resolve action exported (ModelPackageGroupName, ModelPackageVersion, ModelPackageArn). */
function modelVersionOf(actions: readonly DeploymentActionSummary[]): ModelVersion | undefined {
  const variables = variablesOf(actions, RESOLVE_MODEL_VARIABLES.modelPackageVersion);
  const group = variables?.[RESOLVE_MODEL_VARIABLES.modelPackageGroupName];
  const number = variables?.[RESOLVE_MODEL_VARIABLES.modelPackageVersion];
  const arn = variables?.[RESOLVE_MODEL_VARIABLES.modelPackageArn];
  return group && number && arn ? { group, number, arn } : undefined;
}

/** The output variables of the last action that exported `name`. */
function variablesOf(
  actions: readonly DeploymentActionSummary[],
  name: string,
): Readonly<Record<string, string>> | undefined {
  return [...actions].reverse().find((action) => action.output?.outputVariables?.[name] !== undefined)?.output
    ?.outputVariables;
}

/** Oldest first (ListActionExecutions lists the newest first). */
function sortedActions(actions: readonly DeploymentActionSummary[]): DeploymentActionSummary[] {
  const time = (action: DeploymentActionSummary) => parseTime(action.startTime)?.getTime() ?? Number.POSITIVE_INFINITY;
  return [...actions].sort((a, b) => time(a) - time(b));
}

function providerOf(action: DeploymentActionSummary): string | undefined {
  return action.input?.actionTypeId?.provider;
}

/** `Stage/Action`. */
function actionName(action: DeploymentActionSummary): string {
  return `${action.stageName ?? '?'}/${action.actionName ?? '?'}`;
}

function actionLine(action: DeploymentActionSummary, width: number): string {
  const notes = [providerOf(action), durationBetween(action.startTime, action.lastUpdateTime)].filter(
    (note): note is string => note !== undefined,
  );
  const said = notes.length > 0 ? ` (${notes.join(', ')})` : '';
  return `${actionName(action).padEnd(width)}${action.status ?? 'unknown'}${said}`;
}

function approvalText(action: DeploymentActionSummary): string {
  const comment = action.output?.executionResult?.externalExecutionSummary?.trim();
  const verdict =
    action.status === 'Succeeded'
      ? 'approved'
      : action.status === 'Failed'
        ? 'rejected'
        : (action.status ?? 'unknown').toLowerCase();
  const by = action.updatedBy ? ` by ${action.updatedBy}` : '';
  const when = formatTime(action.lastUpdateTime);
  return `${verdict}${by}${when ? ` at ${when}` : ''}${comment ? `: ${quoted(comment)}` : ''}`;
}

function triggerText(
  details: DeploymentDetails | undefined,
  eventTrigger: { readonly 'trigger-type'?: string; readonly 'trigger-detail'?: string } | undefined,
): string | undefined {
  const type = details?.execution?.trigger?.triggerType ?? eventTrigger?.['trigger-type'];
  const said = details?.execution?.trigger?.triggerDetail ?? eventTrigger?.['trigger-detail'];
  if (type === undefined) {
    return undefined;
  }
  const what = type === 'CloudWatchEvent' ? 'an EventBridge rule (a model version was approved)' : type;
  return said ? `${what}: ${said}` : what;
}

function failedActionText(action: DeploymentActionSummary): string {
  const result = action.output?.executionResult;
  const error = result?.errorDetails?.message?.trim() || result?.externalExecutionSummary?.trim();
  const code = result?.errorDetails?.code ? ` [${result.errorDetails.code}]` : '';
  const provider = providerOf(action);
  const when = formatTime(action.lastUpdateTime);
  const rejected = action.input?.actionTypeId?.category === 'Approval';
  const lines = [
    `Stage ${action.stageName ?? '?'}, action ${action.actionName ?? '?'}${provider ? ` (${provider})` : ''} ` +
      `${rejected ? 'was rejected' : 'failed'}${when ? ` at ${when}` : ''}${code}:`,
    ...(error ?? (rejected ? '(no comment)' : '(CodePipeline recorded no error message)'))
      .split('\n')
      .map((line) => `  ${line}`),
  ];
  if (result?.externalExecutionUrl) {
    lines.push(`  Details: ${result.externalExecutionUrl}`);
  }
  return lines.join('\n');
}

/** What to do, by the kind of action that failed. */
function nextSteps(
  action: DeploymentActionSummary | undefined,
  region: string,
  versionArn: string | undefined,
): string[] {
  const reject =
    `aws sagemaker update-model-package --model-package-arn ${versionArn ?? '<version ARN>'} ` +
    `--model-approval-status Rejected --approval-description "<why>" --region ${region}`;
  if (action === undefined) {
    return ['- Open the execution (link below): the failed action and its error are there.'];
  }
  const category = action.input?.actionTypeId?.category;
  const provider = providerOf(action);
  if (category === 'Approval') {
    return [
      '- Nothing, if the version should not go to production. So that later runs do not pick it again, reject it',
      '  in the model registry too:',
      `    ${reject}`,
    ];
  }
  if (provider === 'StepFunctions') {
    return [
      '- The system test of the staging endpoint failed: the model missed its metric or latency threshold, or the',
      '  test could not run. Its execution (Details above) names the failed state and its cause. Production was not',
      '  changed. If the model is at fault, reject the version:',
      `    ${reject}`,
    ];
  }
  if (provider === 'CloudFormation') {
    const stack = action.input?.resolvedConfiguration?.StackName ?? action.input?.configuration?.StackName;
    const which = stack ? `stack ${stack}` : 'the endpoint stack';
    return [
      `- CloudFormation could not deploy ${which}: its events name the resource that`,
      '  failed (often the endpoint: an instance quota, or a model its container cannot load). CloudFormation rolled',
      '  the stack back, so that endpoint keeps serving its previous model, if it had one.',
    ];
  }
  if (provider === 'Lambda') {
    return ["- The action's message above says what was wrong and what to do; its function's logs are linked below."];
  }
  return ["- The action's error above names the cause; open the execution (link below) for its details."];
}

function actionLinks(action: DeploymentActionSummary, region: string): string[] {
  const url = action.output?.executionResult?.externalExecutionUrl;
  const fn = providerOf(action) === 'Lambda' ? action.input?.configuration?.FunctionName : undefined;
  // FunctionName may be a name, an ARN, or either with a version or alias.
  const name = fn?.replace(/^arn:.*:function:/, '').replace(/:.*$/, '');
  return [
    ...(url ? [`${actionName(action)}: ${url}`] : []),
    ...(name ? [`${actionName(action)}, its function's logs: ${links.lambdaLogsUrl(region, name)}`] : []),
  ];
}
