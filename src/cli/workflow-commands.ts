import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import type { Command } from "commander";
import type { Condition, StepDef } from "../domain/workflow.ts";
import { type Api, CliError, cliOf, seg, type WorkflowJson } from "./client.ts";
import { emit, formatTime, indent, say, table } from "./output.ts";

/* `baton workflow apply|validate|show|list`: workflow definitions, written as YAML or JSON. */

interface DefinitionFile {
  path: string;
  text: string;
  contentType: "application/json" | "application/yaml";
}

async function readDefinition(path: string): Promise<DefinitionFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`);
  }
  // The server keeps the text as written, so send it untouched and say which syntax it is.
  const contentType =
    extname(path).toLowerCase() === ".json" ? "application/json" : "application/yaml";
  return { path, text, contentType };
}

/**
 * The workflow key a file declares, which names the workflow in the URL it is published to.
 * Undefined when the file does not parse or has no key: the server's validation explains that
 * better (with line numbers) than a second parser here would.
 */
async function declaredKey(file: DefinitionFile): Promise<string | undefined> {
  let parsed: unknown;
  try {
    if (file.contentType === "application/json") parsed = JSON.parse(file.text);
    else parsed = (await import("yaml")).parse(file.text);
  } catch {
    return undefined;
  }
  const key = (parsed as { key?: unknown } | null)?.key;
  return typeof key === "string" && key !== "" ? key : undefined;
}

function validate(api: Api, file: DefinitionFile) {
  return api.send<{ valid: true; definition: WorkflowJson["definition"] }>(
    "POST",
    "/workflows/validate",
    file.text,
    file.contentType,
  );
}

/** `{field: tier, equals: enterprise}` → `tier = enterprise`. */
function describeCondition(c: Condition): string {
  if ("all" in c) return c.all.map(describeCondition).join(" and ");
  if ("any" in c) return `(${c.any.map(describeCondition).join(" or ")})`;
  if ("not" in c) return `not (${describeCondition(c.not)})`;
  const ops: [keyof typeof c, string][] = [
    ["equals", "="],
    ["not_equals", "≠"],
    ["in", "in"],
    ["gt", ">"],
    ["gte", "≥"],
    ["lt", "<"],
    ["lte", "≤"],
  ];
  for (const [op, sign] of ops) {
    const v = c[op];
    if (v !== undefined) return `${c.field} ${sign} ${Array.isArray(v) ? v.join(", ") : String(v)}`;
  }
  return c.set === false ? `${c.field} is empty` : `${c.field} is set`;
}

function describeStep(s: StepDef, label: (field: string) => string): string[] {
  const lines = [
    `  ${s.key}: ${s.name ?? s.key} (team ${s.team}${s.complete_within ? `, complete within ${s.complete_within}` : ""})`,
  ];
  if (s.checklist.length > 0)
    lines.push(
      `    checklist: ${s.checklist.map((c) => c.text + (c.optional ? " (optional)" : "")).join(" · ")}`,
    );
  const h = s.handoff;
  if (!h) {
    lines.push("    final step");
    return lines;
  }
  const to = h.routes
    ? h.routes
        .map((r) => (r.when ? `${r.to} if ${describeCondition(r.when)}` : r.to))
        .join(", else ")
    : h.to;
  lines.push(
    `    hands off to ${to}${h.accept_within ? `, accepted within ${h.accept_within}` : ""}`,
  );
  if (h.requires?.length) lines.push(`    requires: ${h.requires.map(label).join(", ")}`);
  if (h.criteria?.length) lines.push(`    criteria: ${h.criteria.join(" · ")}`);
  return lines;
}

/** Registers `workflow apply`, `validate`, `show` and `list`. */
export function registerWorkflowCommands(program: Command): void {
  const workflow = program
    .command("workflow")
    .description("publish, check and read workflow definitions");

  workflow
    .command("validate")
    .description("check a definition file without publishing it")
    .requiredOption("-f, --file <file>", "the definition (.yaml, .yml or .json)")
    .action(async (flags: { file: string }, command: Command) => {
      const cli = cliOf(command);
      const file = await readDefinition(flags.file);
      const body = await validate(cli.api, file);
      emit(cli, body, ({ definition: d }) =>
        say(
          `${file.path} is valid: ${d.key} "${d.name}" (prefix ${d.prefix}), ${d.steps.length} steps, ${d.fields.length} fields.`,
        ),
      );
    });

  workflow
    .command("apply")
    .description("publish a definition file (admin); a changed definition becomes a new version")
    .requiredOption("-f, --file <file>", "the definition (.yaml, .yml or .json)")
    .action(async (flags: { file: string }, command: Command) => {
      const cli = cliOf(command);
      const file = await readDefinition(flags.file);
      const key = await declaredKey(file);
      if (key === undefined) {
        await validate(cli.api, file); // throws the server's explanation
        throw new CliError(`${file.path} has no workflow key`);
      }
      const r = await cli.api.send<{ key: string; version: number; changed: boolean }>(
        "PUT",
        `/workflows/${seg(key)}`,
        file.text,
        file.contentType,
      );
      emit(cli, r, () =>
        say(
          r.changed
            ? `Published ${r.key} version ${r.version}.`
            : `${r.key} is unchanged; version ${r.version} stays current.`,
        ),
      );
    });

  workflow
    .command("show")
    .description("show a workflow's fields and steps")
    .argument("<key>", "workflow key")
    .option("--version <n>", "an older version (default: the current one)")
    .option("--source", "print the definition as it was written instead")
    .action(
      async (key: string, flags: { version?: string; source?: boolean }, command: Command) => {
        const cli = cliOf(command);
        const w = await cli.api.get<WorkflowJson>(`/workflows/${seg(key)}`, {
          version: flags.version,
        });
        emit(cli, w, () => {
          if (flags.source) return say(w.source.trimEnd());
          const d = w.definition;
          const label = (f: string) => d.fields.find((x) => x.key === f)?.label ?? f;
          say(`${d.key}  ${d.name}`);
          say(
            `Version ${w.version}, published ${formatTime(w.published_at)} by ${w.published_by}; items are numbered ${d.prefix}-1, ${d.prefix}-2, …`,
          );
          if (d.description) say(d.description);
          say();
          say("Fields");
          if (d.fields.length === 0) say("  none");
          else
            say(
              indent(
                table(
                  ["key", "type", "label", "options"],
                  d.fields.map((f) => [f.key, f.type, f.label ?? "", (f.options ?? []).join(", ")]),
                ),
              ),
            );
          say();
          say("Steps");
          for (const s of d.steps) for (const line of describeStep(s, label)) say(line);
        });
      },
    );

  workflow
    .command("list")
    .description("list workflows")
    .action(async (_flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const body = await cli.api.get<{
        workflows: {
          key: string;
          name: string;
          prefix: string;
          version: number;
          updated_at: string;
        }[];
      }>("/workflows");
      emit(cli, body, ({ workflows }) => {
        if (workflows.length === 0)
          return say("No workflows yet. Publish one: baton workflow apply -f FILE");
        say(
          table(
            ["key", "name", "prefix", "version", "updated"],
            workflows.map((w) => [
              w.key,
              w.name,
              w.prefix,
              String(w.version),
              formatTime(w.updated_at),
            ]),
          ),
        );
      });
    });
}
