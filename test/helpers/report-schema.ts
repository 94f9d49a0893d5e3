// The JSON report's schema as the tests check it: one compiled validator for every suite.
import {readFileSync} from 'node:fs';
import {Ajv, type ValidateFunction} from 'ajv';
import formatsPlugin from 'ajv-formats';

let validator: ValidateFunction | undefined;

export function reportValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({allErrors: true});
    // ajv-formats is CommonJS: under ESM interop its function may sit on .default.
    const plugin = formatsPlugin as unknown as {default?: (a: Ajv) => void} & ((a: Ajv) => void);
    (plugin.default ?? plugin)(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')));
  }
  return validator;
}

/** Schema errors of a report document, [] when it is valid. */
export function schemaErrors(doc: unknown): string[] {
  const validate = reportValidator();
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

let fleetValidator: ValidateFunction | undefined;

/** Schema errors of a fleet report (schema/fleet-report.schema.json, whose hosts are single-host reports). */
export function fleetSchemaErrors(doc: unknown): string[] {
  if (!fleetValidator) {
    const ajv = new Ajv({allErrors: true});
    const plugin = formatsPlugin as unknown as {default?: (a: Ajv) => void} & ((a: Ajv) => void);
    (plugin.default ?? plugin)(ajv);
    const load = (name: string) => JSON.parse(readFileSync(new URL(`../../schema/${name}`, import.meta.url), 'utf8')) as object;
    ajv.addSchema(load('report.schema.json'));
    fleetValidator = ajv.compile(load('fleet-report.schema.json'));
  }
  return fleetValidator(doc) ? [] : (fleetValidator.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
