import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  DefaultDashboardFactory,
  MetricStatistic,
  MonitoringFacade,
  SnsAlarmActionStrategy,
  type CustomMetric,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { ETL_METRICS_NAMESPACE, ETL_REPORT_METRICS } from '../etl/report-metrics';
import type { HandlerFunction } from '../constructs/handler-function';
import { PROBLEM_TYPES } from '../sagemaker-pipelines/problem-types';
import type { EtlStack } from './etl-stack';
import type { TrainingStack } from './training-stack';

/** The SageMaker Pipelines metrics namespace (executions started, succeeded, failed, stopped, by pipeline). */
const PIPELINE_NAMESPACE = 'AWS/Sagemaker/ModelBuildingPipeline';

/** Properties of an {@link EtlDashboard}. */
export interface EtlDashboardProps {
  readonly dashboardName: string;
  /** Where the alarms publish. */
  readonly topic: ITopic;
  readonly config: StageConfig;
  readonly training: TrainingStack;
  readonly etl: EtlStack;
  readonly notify: HandlerFunction;
}

/**
 * The environment's CloudWatch dashboard and alarms (cdk-monitoring-constructs): ETL runs and row counts, pipeline
 * executions, the training jobs' objective metric, the handlers' errors and their dead-letter queues. Every alarm
 * publishes to the notification topic; a failed pipeline execution, a failed or timed-out ETL run, a handler error
 * and a message in a dead-letter queue each raise one.
 */
export class EtlDashboard extends Construct {
  /** The facade that made the dashboard and alarms. */
  public readonly monitoring: MonitoringFacade;

  constructor(scope: Construct, id: string, props: EtlDashboardProps) {
    super(scope, id);
    const { training, etl } = props;
    this.monitoring = new MonitoringFacade(this, 'Monitoring', {
      alarmFactoryDefaults: {
        alarmNamePrefix: props.dashboardName,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: props.topic }),
        datapointsToAlarm: 1,
      },
      metricFactoryDefaults: { period: Duration.minutes(5) },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: props.dashboardName,
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });
    const m = this.monitoring;

    m.addLargeHeader(`ML platform ${props.config.stageName}: data flow, training, notifications`);
    m.monitorGlueJob({
      jobName: etl.etl.job.jobName,
      humanReadableName: 'ETL job',
      alarmFriendlyName: 'etl-job',
      addJobFailedStateCountAlarm: { Failed: { maxErrorCount: 0 } },
      addJobTimeoutStateCountAlarm: { TimedOut: { maxErrorCount: 0 } },
    });
    const rows: CustomMetric[] = Object.keys(ETL_REPORT_METRICS).map(
      (name) => new Metric({ namespace: ETL_METRICS_NAMESPACE, metricName: name, statistic: 'Sum', label: name }),
    );
    m.monitorCustom({
      alarmFriendlyName: 'EtlRows',
      humanReadableName: 'ETL rows: in, out and set aside',
      metricGroups: [{ title: 'Rows per run', metrics: rows }],
    });

    const pipelineMetric = (pipelineName: string, metricName: string) =>
      new Metric({ namespace: PIPELINE_NAMESPACE, metricName, dimensionsMap: { PipelineName: pipelineName }, statistic: 'Sum', label: `${pipelineName} ${metricName}` });
    const pipelines = [training.trainingPipelineName, training.inferencePipelineName];
    m.monitorCustom({
      alarmFriendlyName: 'PipelineExecutions',
      humanReadableName: 'Pipeline executions',
      metricGroups: [
        {
          title: 'Executions started, succeeded, failed',
          metrics: pipelines.flatMap((p) => ['ExecutionStarted', 'ExecutionSucceeded', 'ExecutionFailed'].map((n) => pipelineMetric(p, n))),
        },
        ...pipelines.map((p) => ({
          title: `${p} failures`,
          metrics: [
            {
              metric: pipelineMetric(p, 'ExecutionFailed'),
              alarmFriendlyName: `${p}-failed`,
              addAlarm: {
                Failed: { threshold: 0, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD, additionalDescription: `An execution of ${p} failed` },
              },
            },
          ],
        })),
      ],
    });

    const objective = PROBLEM_TYPES[props.config.problemType].tuningObjective.MetricName;
    m.monitorCustom({
      alarmFriendlyName: 'TrainingObjective',
      humanReadableName: `Training jobs: ${objective}`,
      metricGroups: [
        {
          title: `${objective} of each training job`,
          // One line per training job: the pipelines name their jobs per execution, so a search finds them.
          metrics: [
            {
              namespace: '/aws/sagemaker/TrainingJobs',
              searchQuery: `MetricName="${objective}"`,
              dimensionsMap: { Host: undefined as unknown as string, TrainingJobName: undefined as unknown as string },
              statistic: MetricStatistic.MIN,
              label: objective,
            },
          ],
        },
      ],
    });

    for (const [name, handler] of [['start-etl', etl.startEtl], ['start-training', etl.startTraining], ['notify', props.notify]] as const) {
      m.monitorLambdaFunction({
        lambdaFunction: handler.function,
        humanReadableName: `${name} handler`,
        alarmFriendlyName: `${name}-handler`,
        addFaultCountAlarm: { Errors: { maxErrorCount: 0 } },
      });
      m.monitorSqsQueue({
        queue: handler.deadLetterQueue,
        humanReadableName: `${name} dead-letter queue`,
        alarmFriendlyName: `${name}-dlq`,
        addQueueMaxSizeAlarm: { Messages: { maxMessageCount: 0 } },
      });
    }
  }
}
