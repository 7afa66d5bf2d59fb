import * as fs from 'fs';
import * as path from 'path';

/** A created model (DescribeModel shape). */
export interface LocalModel {
  readonly ModelName: string;
  readonly ModelArn: string;
  readonly PrimaryContainer: {
    readonly Image?: string;
    readonly ModelDataUrl?: string;
    readonly Environment?: Record<string, string>;
    readonly ModelPackageName?: string;
  };
  readonly ExecutionRoleArn?: string;
  readonly CreationTime: string;
}

/** Models created by Model steps: `<dir>/<ModelName>.json`, readable by later Transform steps. */
export class ModelStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  save(model: LocalModel): void {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(path.join(this.dir, `${model.ModelName}.json`), `${JSON.stringify(model, null, 2)}\n`);
  }

  get(modelName: string): LocalModel {
    const file = path.join(this.dir, `${modelName}.json`);
    if (!/^[A-Za-z0-9-]+$/.test(modelName) || !fs.existsSync(file)) {
      throw new Error(
        `Model "${modelName}" does not exist locally (${this.dir}); create it with a Model step first ` +
          '(or reference that step: {"Get":"Steps.<ModelStep>.ModelName"})',
      );
    }
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalModel;
  }
}
