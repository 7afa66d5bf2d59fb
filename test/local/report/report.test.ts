import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { layoutGraph, renderReport, writeReport } from '../../../local/report';
import { browserTest, dumpDom } from '../../helpers/browser-test';
import { EVALUATION_REPORT, inferenceRecord, trainingRecord } from './fixture';

const EVIL = '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">';

function count(text: string, pattern: RegExp): number {
  return (text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`)) ?? []).length;
}

/** The part of the DOM inside `<section id="...">`. */
function section(dom: string, id: string): string {
  const start = dom.indexOf(`<section id="${id}"`);
  if (start < 0) throw new Error(`section #${id} is missing from the report`);
  const end = dom.indexOf('</section>', start);
  return dom.slice(start, end);
}

describe('run report', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-test-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A training run (quality gate passed) and an inference run with a cached step. */
  const passedRun = (name: string): string =>
    writeReport(path.join(dir, name, 'report.html'), [trainingRecord(), inferenceRecord()], {
      title: 'Local run',
      evaluation: { report: EVALUATION_REPORT, gateMetric: 'r2', threshold: 0.7, direction: 'Maximize' },
      predictions: [{ format: 'text/csv', predicted: 1200.5, actual: 1180 }],
      artifacts: [{ label: 'Model', path: '/tmp/work/s3/model.tar.gz' }],
    });

  test('renders graph, timeline, trials and metrics into the page itself', () => {
    // GIVEN two runs WHEN the report is written THEN the page holds every element (the script only adds interaction)
    const file = passedRun('ok');
    const dom = fs.readFileSync(file, 'utf8');
    // the graph has one node per step, coloured by status
    const graph = section(dom, 'pipeline-graph');
    expect(count(graph, /<g class="node /)).toBe(8);
    expect(count(graph, /<g class="node status-succeeded"/)).toBe(6);
    expect(count(graph, /<g class="node status-notexecuted"/)).toBe(1);
    expect(count(graph, /<g class="node status-cached"/)).toBe(1);
    expect(graph).toMatch(/<g class="node status-notexecuted" data-step="QualityGateFailed"/);
    // edges: 8 training edges + 1 inference edge, with the branch kinds drawn
    expect(count(graph, /<path class="edge edge-/)).toBe(9);
    expect(count(graph, /<path class="edge edge-if"/)).toBe(1);
    expect(count(graph, /<path class="edge edge-else"/)).toBe(1);
    // a timeline bar for every step that ran or was cached, and one bar per tuning trial
    const timeline = section(dom, 'timeline');
    expect(count(timeline, /<rect class="timeline-bar /)).toBe(7);
    expect(count(timeline, /<rect class="timeline-trial-bar/)).toBe(6);
    expect(count(timeline, /trials, lane \d/)).toBe(2);
    expect(timeline).toContain('not executed');
    // one point per scored trial, the best (lowest rmse: trial 5) highlighted, the failed trial marked
    const trials = section(dom, 'trials');
    expect(count(trials, /<circle class="trial-point/)).toBe(5);
    expect(count(trials, /class="trial-point best"/)).toBe(1);
    expect(trials).toMatch(/class="trial-point best" data-trial="5"/);
    expect(count(trials, /class="trial-point failed"/)).toBe(1);
    expect(count(trials, /<tr class="trial-row/)).toBe(6);
    expect(trials).toMatch(/<tr class="trial-row best" data-trial="5"/);
    // metrics against the threshold
    const metrics = section(dom, 'metrics');
    expect(metrics).toMatch(/id="quality-gate" class="gate-verdict pass" data-passed="true"/);
    expect(count(metrics, /<tr class="metric-row/)).toBe(4);
    expect(metrics).toContain('0.8123');
    // the page is self-contained: no network references besides the SVG namespace
    const html = fs.readFileSync(file, 'utf8');
    expect(html.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, '')).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/@import|<link\b|\bsrc=/);
  });

  browserTest('in a browser, the page\'s script runs without error over the same content', () => {
    const dom = dumpDom(passedRun('browser'));
    expect(dom).toMatch(/<html[^>]*data-report-ready="true"/);
    expect(count(section(dom, 'pipeline-graph'), /<g class="node /)).toBe(8);
    expect(section(dom, 'metrics')).toMatch(/id="quality-gate" class="gate-verdict pass" data-passed="true"/);
  });

  const failedRun = (): string =>
    writeReport(path.join(dir, 'fail', 'report.html'), [trainingRecord({ gatePassed: false })], {
      evaluation: {
        report: { regression_metrics: { r2: { value: 0.41 } } },
        gateMetric: 'r2',
        threshold: 0.7,
        direction: 'Maximize',
      },
    });

  test('a failed gate shows the failed Fail step and a fail verdict', () => {
    const html = fs.readFileSync(failedRun(), 'utf8');
    const graph = section(html, 'pipeline-graph');
    expect(graph).toMatch(/<g class="node status-failed[^"]*" data-step="QualityGateFailed"/);
    expect(graph).toMatch(/<g class="node status-notexecuted" data-step="Register"/);
    expect(section(html, 'metrics')).toMatch(/class="gate-verdict fail" data-passed="false"/);
  });

  browserTest('in a browser, the failed step is selected and its message shown as text', () => {
    const dom = dumpDom(failedRun());
    // the script selected the failed step and wrote its message into the details panel as text
    expect(section(dom, 'pipeline-graph')).toContain('r2 0.41 is below the threshold 0.7 &lt;b&gt;not bold&lt;/b&gt;');
    expect(dom).not.toContain('<b>not bold</b>');
  });

  const evilRun = (): string =>
    writeReport(path.join(dir, 'evil', 'report.html'), [trainingRecord({ preprocessName: EVIL })], { title: 'Escaping check' });

  test('escapes step names and messages in the page source', () => {
    const html = fs.readFileSync(evilRun(), 'utf8');
    expect(html).not.toContain('<script>document.title');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;document.title=&quot;pwned&quot;');
  });

  browserTest('in a browser, escaped names inject no markup or script', () => {
    const dom = dumpDom(evilRun());
    expect(dom).toMatch(/<title>Escaping check<\/title>/);
    expect(dom).not.toMatch(/<img\b/);
    // two script elements only: the JSON data block and the report's own script
    expect(count(dom, /<script\b/)).toBe(2);
    expect(dom).toMatch(/<html[^>]*data-report-ready="true"/);
    expect(count(section(dom, 'pipeline-graph'), /<g class="node /)).toBe(6);
  });

  test('renderReport without evaluation or trials still renders every section', () => {
    const html = renderReport([inferenceRecord()]);
    for (const id of ['pipeline-graph', 'timeline', 'trials', 'metrics', 'steps']) {
      expect(html).toContain(`<section id="${id}"`);
    }
    expect(html).toContain('No tuning step in these executions.');
  });
});

describe('layered layout', () => {
  test('places every step right of its predecessors and branches in separate rows', () => {
    const names = ['Preprocess', 'Tune', 'Evaluate', 'CheckQuality', 'Register', 'QualityGateFailed'];
    const layout = layoutGraph(names, [
      { from: 'Preprocess', to: 'Tune' },
      { from: 'Preprocess', to: 'Evaluate' },
      { from: 'Tune', to: 'Evaluate' },
      { from: 'Evaluate', to: 'CheckQuality' },
      { from: 'CheckQuality', to: 'Register' },
      { from: 'CheckQuality', to: 'QualityGateFailed' },
    ]);
    const layer = (n: string): number => layout.nodes.get(n)!.layer;
    expect(names.map(layer)).toEqual([0, 1, 2, 3, 4, 4]);
    expect(layout.nodes.get('Register')!.y).not.toBe(layout.nodes.get('QualityGateFailed')!.y);
    expect(layout.nodes.get('Register')!.x).toBe(layout.nodes.get('QualityGateFailed')!.x);
  });

  test('still lays out a graph with a cycle', () => {
    const layout = layoutGraph(['A', 'B'], [
      { from: 'A', to: 'B' },
      { from: 'B', to: 'A' },
    ]);
    expect(layout.nodes.size).toBe(2);
  });
});
