import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { countResources, MS_PER_RESOURCE_TARGET, synthVerdict } from '../../../local/bench/synth';

describe('synth bench', () => {
  test('counts the resources of every template, nested assemblies (stages) included', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-bench-'));
    try {
      fs.writeFileSync(path.join(dir, 'Cicd.template.json'), JSON.stringify({ Resources: { A: {}, B: {}, C: {} } }));
      fs.mkdirSync(path.join(dir, 'assembly-Cicd-dev'));
      fs.writeFileSync(path.join(dir, 'assembly-Cicd-dev', 'devData.template.json'), JSON.stringify({ Resources: { D: {}, E: {} } }));
      fs.writeFileSync(path.join(dir, 'assembly-Cicd-dev', 'devEmpty.template.json'), JSON.stringify({ Parameters: {} }));
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ Resources: { NotATemplate: {} } }));
      expect(countResources(dir)).toEqual({ templates: 3, resources: 5 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`passes only under ${MS_PER_RESOURCE_TARGET} ms per resource`, () => {
    expect(synthVerdict({ milliseconds: 20_000, templates: 24, resources: 600 })).toEqual({
      ok: true,
      verdict: '20.0 s for 600 resources in 24 templates, 33.3 ms per resource (target < 35 ms)',
    });
    expect(synthVerdict({ milliseconds: 21_000, templates: 24, resources: 600 }).ok).toBe(false);
    expect(synthVerdict({ milliseconds: 1000, templates: 0, resources: 0 })).toEqual({ ok: false, verdict: 'no resources were synthesized' });
  });
});
