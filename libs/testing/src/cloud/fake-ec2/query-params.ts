import { Ec2Error } from './ec2-error.js';

/** One Filter.N of a Describe call: a name and its values (a resource matches one of them). */
export interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

/** The form of one Query API call (`Action=...&Version=...&RouteTableId.1=...`). */
export class QueryParams {
  constructor(private readonly form: URLSearchParams) {}

  get action(): string {
    return this.form.get('Action') ?? '';
  }

  optional(name: string): string | undefined {
    return this.form.get(name) ?? undefined;
  }

  required(name: string): string {
    const value = this.form.get(name);
    if (value === null || value === '') throw new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
    return value;
  }

  /** `Name.1`, `Name.2`, ... in order. */
  list(name: string): string[] {
    const out: string[] = [];
    for (let i = 1; this.form.has(`${name}.${i}`); i++) out.push(this.form.get(`${name}.${i}`)!);
    return out;
  }

  filters(): Filter[] {
    const out: Filter[] = [];
    for (let i = 1; this.form.has(`Filter.${i}.Name`); i++) {
      out.push({ name: this.form.get(`Filter.${i}.Name`)!, values: this.list(`Filter.${i}.Value`) });
    }
    return out;
  }

  toObject(): Record<string, string> {
    return Object.fromEntries(this.form.entries());
  }
}
