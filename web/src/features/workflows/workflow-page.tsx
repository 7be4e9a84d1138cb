import type { Diagnostic } from "@codemirror/lint";
import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Paper,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { diffLines } from "diff";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { api, isApiError } from "../../api/client.ts";
import { keys, useTeams, useWorkflow, useWorkflowVersions } from "../../api/queries.ts";
import type { Team, WorkflowDef } from "../../api/types.ts";
import { Empty, PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { useMe } from "../auth/session.ts";
import { useDraft } from "../review/api.ts";
import { lineOf, locate } from "./locate.ts";
import WorkflowMap from "./workflow-map.tsx";
import YamlEditor, { type EditorHandle } from "./yaml-editor.tsx";

/*
 * One workflow: its map, its definition in an editor that the server's validator checks as you
 * type, publishing (admins), version history and a diff between any two versions.
 */

type Check =
  | { status: "checking" }
  | { status: "valid"; definition: WorkflowDef }
  | { status: "invalid"; errors: { path: string; message: string }[]; detail: string }
  | { status: "failed"; error: unknown };

const formatOf = (source: string) => (source.trimStart().startsWith("{") ? "json" : "yaml");
const contentType = (source: string) =>
  formatOf(source) === "json" ? "application/json" : "application/yaml";

function template(teams: Team[]): string {
  const a = teams[0]?.key ?? "sales";
  const b = teams[1]?.key ?? a;
  return `# A new workflow. The validator checks it as you type; publish when it is valid.
key: my-workflow
name: My workflow
prefix: MW
fields:
  - {key: customer, type: text, label: Customer}
  - {key: details_url, type: url, label: Details}
steps:
  - key: prepare
    name: Prepare
    team: ${a}
    checklist: [Customer contacted]
    complete_within: 2d
    handoff:
      to: deliver
      requires: [customer, details_url]
      criteria: [Everything the next team needs is attached]
      accept_within: 4h
  - key: deliver
    name: Deliver
    team: ${b}
    checklist: [Delivered]
`;
}

/** Asks the server's validator about a draft, 400 ms after the last keystroke. */
function useValidation(source: string): Check {
  const [check, setCheck] = useState<Check>({ status: "checking" });
  useEffect(() => {
    const ctrl = new AbortController();
    setCheck({ status: "checking" });
    const t = setTimeout(() => {
      api<{ valid: boolean; definition: WorkflowDef }>("/workflows/validate", {
        method: "POST",
        body: source,
        contentType: contentType(source),
        signal: ctrl.signal,
      })
        .then((r) => setCheck({ status: "valid", definition: r.definition }))
        .catch((e) => {
          if (ctrl.signal.aborted) return;
          if (isApiError(e, "invalid_workflow") || isApiError(e, "invalid_input"))
            setCheck({
              status: "invalid",
              errors: e.fieldErrors.length
                ? e.fieldErrors
                : [{ path: "(root)", message: e.problem.detail }],
              detail: e.problem.detail,
            });
          else setCheck({ status: "failed", error: e });
        });
    }, 400);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [source]);
  return check;
}

function DefinitionEditor({
  initial,
  publishedSource,
  currentVersion,
  isAdmin,
  teamName,
  onPublished,
  draftOf,
}: {
  initial: string;
  publishedSource: string | null;
  currentVersion: number | null;
  isAdmin: boolean;
  teamName: (k: string) => string;
  onPublished: (key: string) => void;
  /** The review suggestion this draft comes from, if it does. */
  draftOf?: { title: string; reviewHref: string } | undefined;
}) {
  const qc = useQueryClient();
  const [draft, setDraft] = useState(initial);
  const check = useValidation(draft);
  const editor = useRef<EditorHandle | null>(null);
  const problems = useMemo(
    () =>
      check.status === "invalid"
        ? check.errors.map((e) => {
            const span = locate(draft, e.path);
            return { ...e, span, line: lineOf(draft, span.from) };
          })
        : [],
    [check, draft],
  );
  const diagnostics: Diagnostic[] = useMemo(
    () =>
      problems.map((p) => ({
        from: p.span.from,
        to: p.span.to,
        severity: "error",
        message: `${p.path}: ${p.message}`,
      })),
    [problems],
  );
  const changed = draft !== (publishedSource ?? "");
  const publish = useMutation({
    mutationFn: (def: WorkflowDef) =>
      api<{ key: string; version: number; changed: boolean }>(
        `/workflows/${encodeURIComponent(def.key)}`,
        { method: "PUT", body: draft, contentType: contentType(draft) },
      ),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: keys.workflows });
      void qc.invalidateQueries({ queryKey: ["workflow", r.key] });
      notifications.show({
        color: "green",
        message: r.changed
          ? `Published ${r.key} version ${r.version}. New items use it; running items keep theirs.`
          : `No change: this is already version ${r.version}.`,
      });
      onPublished(r.key);
    },
  });

  // What this draft changes; above the editor for a draft from the review, where it is the point.
  const changes = changed && publishedSource !== null && currentVersion !== null && (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        Changes against version {currentVersion}
      </Text>
      <SourceDiff
        before={publishedSource}
        after={draft}
        from={`Version ${currentVersion}`}
        to="this draft"
      />
    </Stack>
  );
  return (
    <Stack gap="sm">
      {draftOf && (
        <Alert color="yellow" variant="light" title="A draft from the review" data-testid="draft">
          <Text size="sm">
            {draftOf.title}. The change is in the editor below and in the diff under it;{" "}
            {isAdmin
              ? "publish it to make the next version, or discard it."
              : "an admin publishes it."}{" "}
            <Link to={draftOf.reviewHref}>Back to the review</Link>
          </Text>
        </Alert>
      )}
      <Text size="sm" c="dimmed">
        YAML or JSON, as in <code>examples/</code>. The server's validator checks every change;
        problems are underlined with the path they concern.
      </Text>
      <div aria-live="polite" data-testid="validation">
        {check.status === "checking" ? (
          <Text size="sm" c="dimmed">
            Checking…
          </Text>
        ) : check.status === "valid" ? (
          <Alert color="green" variant="light" title="Valid definition">
            {check.definition.steps.length} steps across{" "}
            {new Set(check.definition.steps.map((s) => s.team)).size} teams.{" "}
            {changed
              ? currentVersion
                ? `Publishing makes version ${currentVersion + 1}; running items stay on theirs.`
                : "Publishing makes version 1."
              : "Same as the published version."}
          </Alert>
        ) : check.status === "invalid" ? (
          <Alert
            color="red"
            variant="light"
            title={`${problems.length} ${problems.length === 1 ? "problem" : "problems"}: cannot publish yet`}
          >
            <List size="sm" spacing={2}>
              {problems.map((p) => (
                <List.Item key={`${p.path}|${p.message}`}>
                  <UnstyledButton
                    onClick={() => editor.current?.focusAt(p.span.from)}
                    style={{ textAlign: "left" }}
                    aria-label={`${whereOf(p)}: ${p.message}. Go to line`}
                  >
                    <Text span size="sm" fw={600}>
                      {isSyntaxPath(p.path) ? p.path.replace(/^l/, "L") : `Line ${p.line}`}
                    </Text>
                    {isSyntaxPath(p.path) ? null : (
                      <>
                        {" "}
                        <Text span size="sm" ff="monospace">
                          {p.path}
                        </Text>
                      </>
                    )}
                    : {p.message}
                  </UnstyledButton>
                </List.Item>
              ))}
            </List>
          </Alert>
        ) : (
          <ProblemAlert error={check.error} title="Could not check the definition" />
        )}
      </div>
      <ProblemAlert error={publish.error} />
      <Group>
        {isAdmin ? (
          <>
            <Button
              disabled={check.status !== "valid" || !changed}
              loading={publish.isPending}
              onClick={() => check.status === "valid" && publish.mutate(check.definition)}
            >
              Publish
            </Button>
            {changed && publishedSource !== null && (
              <Button variant="default" onClick={() => setDraft(publishedSource)}>
                Discard changes
              </Button>
            )}
          </>
        ) : (
          <Text size="sm" c="dimmed">
            Only admins publish workflows; you can read the definition.
          </Text>
        )}
      </Group>
      {draftOf && changes}
      <YamlEditor
        value={draft}
        onChange={setDraft}
        diagnostics={diagnostics}
        readOnly={!isAdmin}
        label="Workflow definition"
        handleRef={editor}
      />
      {!draftOf && changes}
      {check.status === "valid" && changed && (
        <Paper withBorder p="sm" radius="md">
          <Text size="sm" fw={600} mb="xs">
            Preview
          </Text>
          <WorkflowMap def={check.definition} teamName={teamName} withTable={false} height={300} />
        </Paper>
      )}
    </Stack>
  );
}

/** A YAML syntax error's path is its place ("line 5, column 7"): say it once, not "Line 5 line 5". */
function isSyntaxPath(path: string): boolean {
  return /^line \d+, column \d+$/.test(path);
}

function whereOf(p: { line: number; path: string }): string {
  return isSyntaxPath(p.path) ? p.path.replace(/^l/, "L") : `Line ${p.line}: ${p.path}`;
}

/** Unchanged lines kept around each change in the version diff. */
const CONTEXT = 3;

type DiffRow = { kind: "add" | "del" | "same"; text: string } | { kind: "skip"; count: number };

/** The diff as rows: changed lines with a few unchanged ones around them, the rest folded. */
function diffRows(parts: { value: string; added?: boolean; removed?: boolean }[]): DiffRow[] {
  const rows: DiffRow[] = [];
  parts.forEach((p, i) => {
    const lines = p.value.replace(/\n$/, "").split("\n");
    if (p.added || p.removed) {
      for (const text of lines) rows.push({ kind: p.added ? "add" : "del", text });
      return;
    }
    const keepHead = i > 0 ? CONTEXT : 0;
    const keepTail = i < parts.length - 1 ? CONTEXT : 0;
    if (lines.length <= keepHead + keepTail + 1) {
      for (const text of lines) rows.push({ kind: "same", text });
      return;
    }
    for (const text of lines.slice(0, keepHead)) rows.push({ kind: "same", text });
    rows.push({ kind: "skip", count: lines.length - keepHead - keepTail });
    for (const text of lines.slice(lines.length - keepTail)) rows.push({ kind: "same", text });
  });
  return rows;
}

function VersionDiff({ workflowKey, from, to }: { workflowKey: string; from: number; to: number }) {
  const a = useWorkflow(workflowKey, from);
  const b = useWorkflow(workflowKey, to);
  if (a.isError || b.isError) return <ProblemAlert error={a.error ?? b.error} />;
  if (!a.data || !b.data)
    return (
      <Text size="sm" c="dimmed">
        Loading both versions…
      </Text>
    );
  return (
    <SourceDiff
      before={a.data.source}
      after={b.data.source}
      from={`Version ${from}`}
      to={`${to}`}
    />
  );
}

/** Two sources' difference: changed lines with three of context, the rest folded. */
function SourceDiff({
  before,
  after,
  from,
  to,
}: {
  before: string;
  after: string;
  from: string;
  to: string;
}) {
  const parts = diffLines(before, after);
  const added = parts.filter((p) => p.added).reduce((n, p) => n + (p.count ?? 0), 0);
  const removed = parts.filter((p) => p.removed).reduce((n, p) => n + (p.count ?? 0), 0);
  return (
    <Stack gap={4}>
      <Text size="sm">
        {from} → {to}:{" "}
        <Text span c="var(--baton-green)" fw={600}>
          +{added}
        </Text>{" "}
        <Text span c="var(--baton-red)" fw={600}>
          −{removed}
        </Text>{" "}
        lines
      </Text>
      <Paper withBorder radius="md" py={6} style={{ overflowX: "auto" }} data-testid="version-diff">
        {diffRows(parts).map((r, i) =>
          r.kind === "skip" ? (
            <div
              // biome-ignore lint/suspicious/noArrayIndexKey: diff lines have no identity but their position
              key={i}
              className="diff-line diff-skip"
            >
              ⋯ {r.count} unchanged {r.count === 1 ? "line" : "lines"}
            </div>
          ) : (
            <div
              // biome-ignore lint/suspicious/noArrayIndexKey: diff lines have no identity but their position
              key={i}
              className={`diff-line ${r.kind === "add" ? "diff-add" : r.kind === "del" ? "diff-del" : ""}`}
            >
              <span aria-hidden>{r.kind === "add" ? "+ " : r.kind === "del" ? "- " : "  "}</span>
              <span className="visually-hidden">
                {r.kind === "add" ? "added: " : r.kind === "del" ? "removed: " : ""}
              </span>
              {r.text}
            </div>
          ),
        )}
      </Paper>
    </Stack>
  );
}

function History({ workflowKey }: { workflowKey: string }) {
  const versions = useWorkflowVersions(workflowKey);
  const latest = versions.data?.[0]?.version ?? 1;
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState<string | null>(null);
  if (versions.isError) return <ProblemAlert error={versions.error} />;
  if (!versions.data) return <PageLoading label="Loading versions" />;
  const options = versions.data.map((v) => ({
    value: String(v.version),
    label: `Version ${v.version}`,
  }));
  const a = Number(from ?? Math.max(1, latest - 1));
  const b = Number(to ?? latest);
  return (
    <Stack>
      <Table.ScrollContainer minWidth={420}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              <Table.Th>Published by</Table.Th>
              <Table.Th>When</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {versions.data.map((v) => (
              <Table.Tr key={v.version}>
                <Table.Td>
                  {v.version}{" "}
                  {v.version === latest && (
                    <Badge size="sm" color="green.9" variant="filled">
                      current
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{v.published_by}</Table.Td>
                <Table.Td>{formatDateTime(v.published_at)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {versions.data.length < 2 ? (
        <Text size="sm" c="dimmed">
          Only one version so far. Publishing a change makes version 2, and you can compare the two
          here.
        </Text>
      ) : (
        <>
          <Group align="flex-end">
            <Select
              label="Compare"
              data={options}
              value={String(a)}
              onChange={setFrom}
              allowDeselect={false}
              w={160}
            />
            <Select
              label="with"
              data={options}
              value={String(b)}
              onChange={setTo}
              allowDeselect={false}
              w={160}
            />
          </Group>
          <VersionDiff workflowKey={workflowKey} from={a} to={b} />
        </>
      )}
    </Stack>
  );
}

export default function WorkflowPage() {
  const { key = "" } = useParams();
  const isNew = key === "new";
  const me = useMe();
  const navigate = useNavigate();
  const teams = useTeams();
  const wf = useWorkflow(isNew ? undefined : key);
  const [params, setParams] = useSearchParams();
  const tab = isNew ? "definition" : (params.get("tab") ?? "map");
  // A draft of the next version from a review suggestion (?suggestion=ID&from=…&to=…).
  const suggestion = isNew ? null : params.get("suggestion");
  const draftPeriod = {
    from: params.get("from") ?? undefined,
    to: params.get("to") ?? undefined,
  };
  const draft = useDraft(key, suggestion, draftPeriod);
  const teamName = useMemo(() => {
    const names = new Map((teams.data ?? []).map((t) => [t.key, t.name]));
    return (k: string) => names.get(k) ?? k;
  }, [teams.data]);
  useDocumentTitle(isNew ? "New workflow" : (wf.data?.definition.name ?? key));

  if (!isNew && wf.isError) return <PageError error={wf.error} />;
  if ((!isNew && !wf.data) || (isNew && !teams.data) || (suggestion && draft.isPending))
    return <PageLoading label="Loading the workflow" />;
  const def = wf.data?.definition;

  return (
    <Stack>
      <div>
        <Title order={1}>{isNew ? "New workflow" : def?.name}</Title>
        {wf.data && (
          <Text size="sm" c="dimmed">
            <code>{wf.data.key}</code> · items {def?.prefix}-1, {def?.prefix}-2… · version{" "}
            {wf.data.version}, published by {wf.data.published_by}{" "}
            {formatDateTime(wf.data.published_at)}
          </Text>
        )}
      </div>
      {!isNew && (
        <Tabs
          value={tab}
          onChange={(v) => setParams(v && v !== "map" ? { tab: v } : {}, { replace: true })}
        >
          <Tabs.List>
            <Tabs.Tab value="map">Map</Tabs.Tab>
            <Tabs.Tab value="definition">Definition</Tabs.Tab>
            <Tabs.Tab value="history">History</Tabs.Tab>
          </Tabs.List>
        </Tabs>
      )}
      {!isNew && (
        <Text size="sm">
          <Link to={`/workflows/${key}/review`}>Review how handoffs go in this workflow</Link>
        </Text>
      )}
      {suggestion && draft.isError && (
        <ProblemAlert error={draft.error} title="Could not draft that suggestion" />
      )}
      {tab === "map" && def && <WorkflowMap def={def} teamName={teamName} />}
      {tab === "definition" && (
        <DefinitionEditor
          key={
            wf.data
              ? `${wf.data.key}@${wf.data.version}${draft.data ? `+${suggestion}` : ""}`
              : "new"
          }
          initial={draft.data?.source ?? wf.data?.source ?? template(teams.data ?? [])}
          draftOf={
            draft.data && suggestion
              ? {
                  title: draft.data.suggestion.title,
                  reviewHref: `/workflows/${key}/review`,
                }
              : undefined
          }
          publishedSource={wf.data?.source ?? null}
          currentVersion={wf.data?.version ?? null}
          isAdmin={me.admin}
          teamName={teamName}
          onPublished={(k) => {
            if (isNew || k !== key || suggestion) void navigate(`/workflows/${k}?tab=definition`);
          }}
        />
      )}
      {tab === "history" && !isNew && <History workflowKey={key} />}
      {isNew && !me.admin && (
        <Empty title="Only admins publish workflows">
          You can try a definition here; ask an admin to publish it.
        </Empty>
      )}
      {isNew ? null : (
        <Text size="sm">
          <Link to={`/new?workflow=${key}`}>Start an item in this workflow</Link>
        </Text>
      )}
    </Stack>
  );
}
