/** Reads a Dockerfile into stages of instructions: just enough syntax for Pasar's own. */
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  /** Leading `--name=value` flags (`--from=build`, `--mount=...`). */
  flags: Record<string, string>;
  /** What follows the keyword and its flags. */
  rest: string;
  line: number;
}

export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** Joins `\` continuations, drops comments and blank lines, splits at FROM. */
export function parseDockerfile(file: string): Stage[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const stages: Stage[] = [];
  let pending = '';
  let startLine = 0;
  lines.forEach((raw, index) => {
    const text = raw.trim();
    if (!pending && (text === '' || text.startsWith('#'))) return;
    if (!pending) startLine = index + 1;
    pending += pending ? ` ${text}` : text;
    if (pending.endsWith('\\')) {
      pending = pending.slice(0, -1).trimEnd();
      return;
    }
    const instruction = parseInstruction(pending, startLine);
    pending = '';
    if (instruction.keyword === 'FROM') {
      const [base = '', as, name] = instruction.rest.split(/\s+/);
      stages.push({ base, name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length), instructions: [] });
    } else if (instruction.keyword !== 'ARG' || stages.length > 0) {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`Dockerfile line ${startLine}: ${instruction.keyword} before any FROM`);
      stage.instructions.push(instruction);
    }
  });
  return stages;
}

function parseInstruction(text: string, line: number): Instruction {
  const [keyword = '', ...words] = text.split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!.slice(2);
    const eq = flag.indexOf('=');
    flags[eq < 0 ? flag : flag.slice(0, eq)] = eq < 0 ? 'true' : flag.slice(eq + 1);
  }
  return { keyword: keyword.toUpperCase(), flags, rest: words.join(' '), line };
}

/** `CMD ["node", "x.js"]` (exec form) as an argument list. */
export function execForm(instruction: Instruction): string[] {
  const parsed: unknown = JSON.parse(instruction.rest);
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) {
    throw new Error(`Dockerfile line ${instruction.line}: ${instruction.keyword} must use the exec form`);
  }
  return parsed;
}
