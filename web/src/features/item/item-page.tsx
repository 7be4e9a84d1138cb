import {
  Anchor,
  Breadcrumbs,
  Button,
  Grid,
  Group,
  Menu,
  Modal,
  Select,
  Stack,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDots } from "@tabler/icons-react";
import { useEffect, useRef, useState } from "react";
import { type Blocker, Link, useBlocker, useParams } from "react-router";
import { isApiError } from "../../api/client.ts";
import {
  useItem,
  useItemCommand,
  useTeams,
  useUpdateFields,
  useUsers,
  useWorkflow,
} from "../../api/queries.ts";
import { acceptBlock, type Item } from "../../api/types.ts";
import { PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { useKeys } from "../../lib/keys.ts";
import { useNames } from "../../lib/names.ts";
import { isMemberOf, useMe } from "../auth/session.ts";
import { AcceptDialog } from "./accept-dialog.tsx";
import { QuestionsView } from "./collaboration.tsx";
import { labelOf } from "./fields.ts";
import { FieldsForm } from "./fields-form.tsx";
import { ForecastLine } from "./forecast-line.tsx";
import { HandoffPanel } from "./handoff-panel.tsx";
import { HandoffRecord } from "./handoff-record.tsx";
import {
  ChecklistView,
  CommentsView,
  NextBanner,
  PackageView,
  PathView,
  PendingHandoff,
  ReturnedNotice,
  Section,
  StateBadge,
  TimelineView,
} from "./item-sections.tsx";
import { RejectDialog } from "./reject-dialog.tsx";
import { SurveyPrompt } from "./survey-prompt.tsx";
import { type FieldsForm as FieldsFormState, useFieldsForm } from "./use-fields-form.ts";
import { WatchButton } from "./watch-button.tsx";

/*
 * One item: who moves next and the button to do it, the path across teams, the form, the
 * checklist, the handoff with what is still missing, the decision dialogs, comments and the
 * full timeline. Everything updates in place when someone else changes the item.
 */

type Dialog = "accept" | "reject" | "pause" | "cancel" | "assign" | null;

function ReasonDialog({
  item,
  kind,
  onClose,
}: {
  item: Item;
  kind: "pause" | "cancel";
  onClose: () => void;
}) {
  const run = useItemCommand(item.key);
  const [reason, setReason] = useState("");
  return (
    <Modal
      opened
      onClose={onClose}
      title={kind === "pause" ? `Pause ${item.key}` : `Cancel ${item.key}`}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (reason.trim())
            run.mutate({ command: kind, body: { reason: reason.trim() } }, { onSuccess: onClose });
        }}
      >
        <Stack>
          <Text size="sm">
            {kind === "pause"
              ? "Pausing stops the service-level clocks, e.g. while waiting on the customer. Anyone in the team can resume."
              : "Cancelling closes the item for good; nobody will act on it again."}
          </Text>
          <Textarea
            label="Reason"
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            data-autofocus
          />
          <ProblemAlert error={run.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Back
            </Button>
            <Button
              type="submit"
              color={kind === "cancel" ? "red.8" : undefined}
              loading={run.isPending}
              disabled={!reason.trim()}
            >
              {kind === "pause" ? "Pause" : "Cancel item"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function AssignDialog({
  item,
  members,
  onClose,
}: {
  item: Item;
  members: { email: string; name: string }[];
  onClose: () => void;
}) {
  const run = useItemCommand(item.key);
  const [email, setEmail] = useState<string | null>(item.assignee);
  return (
    <Modal opened onClose={onClose} title={`Assign ${item.key}`}>
      <Stack>
        <Select
          label={`Member of ${item.next?.team_name ?? "the team"}`}
          data={members.map((m) => ({ value: m.email, label: `${m.name} (${m.email})` }))}
          value={email}
          onChange={setEmail}
          clearable
          placeholder="Nobody"
          searchable
        />
        <ProblemAlert error={run.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Back
          </Button>
          <Button
            loading={run.isPending}
            onClick={() =>
              run.mutate({ command: "assign", body: { email } }, { onSuccess: onClose })
            }
          >
            {email ? "Assign" : "Unassign"}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Asks the browser to confirm closing or reloading the tab while `when` holds. */
function useBeforeUnload(when: boolean) {
  useEffect(() => {
    if (!when) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [when]);
}

/** Leaving with changes that cannot be saved (a value the server would refuse): stay or drop them. */
function LeaveDialog({
  blocker,
  form,
  saveFailed,
}: {
  blocker: Blocker;
  form: FieldsFormState;
  saveFailed: boolean;
}) {
  const open = blocker.state === "blocked" && (!form.isValid || saveFailed);
  return (
    <Modal
      opened={open}
      onClose={() => blocker.reset?.()}
      title="Leave without saving?"
      closeButtonProps={{ "aria-label": "Stay on this page" }}
    >
      <Stack>
        <Text size="sm">
          {form.dirty.length === 1
            ? "A field you changed is"
            : `${form.dirty.length} fields you changed are`}{" "}
          not saved:{" "}
          {form.dirty.filter((k) => form.errors[k]).length > 0
            ? "fix the marked value to save it."
            : "they are still saving."}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => blocker.reset?.()} data-autofocus>
            Stay and fix
          </Button>
          <Button
            color="red.8"
            onClick={() => {
              form.reset();
              blocker.proceed?.();
            }}
          >
            Discard and leave
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export default function ItemPage() {
  const { key = "" } = useParams();
  const me = useMe();
  const item = useItem(key);
  const teams = useTeams();
  const users = useUsers();
  const workflow = useWorkflow(item.data?.workflow, item.data?.workflow_version);
  const fields = workflow.data?.definition.fields ?? [];
  const form = useFieldsForm(fields, item.data);
  const command = useItemCommand(key);
  const handoff = useItemCommand(key);
  const save = useUpdateFields(key);
  const [dialog, setDialog] = useState<Dialog>(null);
  const handoffRef = useRef<HTMLDivElement>(null);
  const names = useNames();
  useDocumentTitle(item.data ? `${item.data.key} ${item.data.title}` : key);

  const it = item.data;
  const teamName = names.team;
  const isNext = !!it && isMemberOf(me, it.next?.team);
  const inNextTeam = !!it?.next && me.teams.some((t) => t.key === it.next?.team);
  const isOwner = !!it && isMemberOf(me, it.owner_team);
  const editable = !!it && it.state === "in_progress" && isOwner;
  const canClaim = !!it?.next && inNextTeam && it.assignee !== me.email;

  // Saves run one after another: a blur while a save is under way saves what changed since.
  const saving = useRef<Promise<boolean>>(Promise.resolve(true));
  const formRef = useRef(form);
  formRef.current = form;
  const saveNow = async (): Promise<boolean> => {
    const f = formRef.current;
    if (!f.isDirty) return true;
    if (!f.isValid) return false;
    const sent = f.pending();
    try {
      await save.mutateAsync({ fields: f.changes() });
      formRef.current.saved(sent);
      return true;
    } catch (e) {
      if (isApiError(e)) formRef.current.showServerErrors(e.fieldErrors);
      return false;
    }
  };
  const saveFields = (): Promise<boolean> => {
    saving.current = saving.current.then(saveNow, saveNow);
    return saving.current;
  };
  // Focus leaving a field saves it; the timeout lets the last keystroke reach the form first.
  const saveSoon = () => {
    setTimeout(() => void saveFields(), 0);
  };

  // Leaving the page with changes not saved: valid ones are saved on the way out; others ask.
  const unsaved = editable && form.isDirty;
  useBeforeUnload(unsaved);
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      unsaved && currentLocation.pathname !== nextLocation.pathname,
  );
  // Runs once per blocked navigation; `blocker` and `saveFields` change identity every render.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    if (blocker.state !== "blocked" || !formRef.current.isValid) return;
    const proceed = blocker.proceed;
    void saveFields().then((ok) => {
      if (ok) proceed();
    });
  }, [blocker.state]);

  const act = (c: "claim" | "withdraw" | "complete" | "resume", done: string) =>
    command.mutate(
      { command: c },
      { onSuccess: () => notifications.show({ message: done, color: "green" }) },
    );

  // A required meeting not yet held: accepting would fail, so it is not offered; `a` says why.
  const blocked = acceptBlock(it?.next);
  useKeys({
    a: () => {
      if (it?.state !== "awaiting_acceptance" || !isNext) return;
      if (blocked)
        notifications.show({
          title: `${key} cannot be accepted yet`,
          message: `Acceptance waits for the handoff meeting: ${blocked}.`,
          color: "orange",
        });
      else setDialog("accept");
    },
    r: () => it?.state === "awaiting_acceptance" && isNext && setDialog("reject"),
    c: () => canClaim && act("claim", `${key} is yours now.`),
  });

  if (item.isError) return <PageError error={item.error} />;
  if (!it) return <PageLoading label={`Loading ${key}`} />;

  const h = it.handoff;
  const toTeam = it.readiness?.to_step
    ? (workflow.data?.definition.steps.find((s) => s.key === it.readiness?.to_step)?.team ?? "")
    : "";
  const labels = Object.fromEntries(fields.map((f) => [f.key, labelOf(f)]));
  const steps = workflow.data?.definition.steps ?? [];
  const stepName = (k: string) => {
    const s = steps.find((x) => x.key === k);
    return s?.name ?? k;
  };
  // The receiver reads the package in the pending handoff; Fields lists only the rest.
  const inPackage = it.state === "awaiting_acceptance" ? Object.keys(h?.package ?? {}) : [];
  // The step's handoff plans a meeting: the record shows before the first handoff, to book it.
  const meetsBefore =
    it.state === "in_progress" &&
    !!workflow.data?.definition.steps.find((s) => s.key === it.step)?.handoff?.meeting;
  const nextMembers = teams.data?.find((t) => t.key === it.next?.team)?.members ?? [];

  const actions = (
    <>
      {it.state === "awaiting_acceptance" && isNext && (
        <>
          {blocked ? (
            <Text size="sm" c="var(--baton-orange)" fw={600} data-testid="accept-blocked" maw={360}>
              Accept after the handoff meeting: {blocked}.
            </Text>
          ) : (
            <Button color="green.9" onClick={() => setDialog("accept")}>
              Accept
            </Button>
          )}
          <Button color="red" variant="outline" onClick={() => setDialog("reject")}>
            Reject…
          </Button>
        </>
      )}
      {it.state === "awaiting_acceptance" && h && isMemberOf(me, h.from_team) && (
        <Button
          variant="default"
          loading={command.isPending && command.variables?.command === "withdraw"}
          onClick={() => act("withdraw", `Handoff of ${key} withdrawn.`)}
        >
          Withdraw handoff
        </Button>
      )}
      {it.state === "in_progress" && !it.is_final_step && isOwner && (
        <Button
          onClick={() => {
            handoffRef.current?.scrollIntoView({ behavior: "smooth", block: "start" });
            handoffRef.current?.querySelector<HTMLElement>("input, textarea, button")?.focus();
          }}
        >
          Hand off…
        </Button>
      )}
      {it.state === "in_progress" && it.is_final_step && isOwner && (
        <Button
          color="green.9"
          loading={command.isPending && command.variables?.command === "complete"}
          onClick={() => act("complete", `${key} is done.`)}
        >
          Complete
        </Button>
      )}
      {it.state === "paused" && isNext && (
        <Button onClick={() => act("resume", `${key} resumed.`)}>Resume</Button>
      )}
      {canClaim && (
        <Button
          variant="light"
          loading={command.isPending && command.variables?.command === "claim"}
          onClick={() => act("claim", `${key} is yours now.`)}
        >
          Claim
        </Button>
      )}
      {it.next && (isNext || isOwner) && (
        <Menu position="bottom-end">
          <Menu.Target>
            <Button variant="default" px="xs" aria-label="More actions">
              <IconDots size={18} aria-hidden />
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            {isNext && <Menu.Item onClick={() => setDialog("assign")}>Assign…</Menu.Item>}
            {it.state === "in_progress" && isOwner && (
              <Menu.Item onClick={() => setDialog("pause")}>Pause…</Menu.Item>
            )}
            <Menu.Item color="red" onClick={() => setDialog("cancel")}>
              Cancel item…
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      )}
    </>
  );

  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to={`/workflows/${it.workflow}`} size="sm">
          {workflow.data?.definition.name ?? it.workflow}
        </Anchor>
        <Anchor component={Link} to={`/teams/${it.next?.team ?? it.owner_team}`} size="sm">
          {teamName(it.next?.team ?? it.owner_team)} queue
        </Anchor>
      </Breadcrumbs>
      <Group gap="sm" align="center" wrap="wrap">
        <Title order={1} style={{ overflowWrap: "anywhere" }}>
          <Text span ff="monospace" inherit c="dimmed">
            {it.key}
          </Text>{" "}
          {it.title}
        </Title>
        <StateBadge item={it} />
        <WatchButton itemKey={it.key} />
      </Group>

      <NextBanner item={it} teamName={teamName} actions={actions} />
      <ForecastLine item={it} />
      <SurveyPrompt item={it} teamName={teamName} />
      <ProblemAlert error={command.error} onClose={command.reset} />
      <ReturnedNotice item={it} teamName={teamName} />
      <Section title="Path" id="sec-path">
        <PathView
          path={it.path}
          teamName={teamName}
          transitTo={it.state === "awaiting_acceptance" ? (h?.to_step ?? null) : null}
        />
      </Section>

      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="md">
            {it.state === "awaiting_acceptance" && h && (
              <Section title="Handoff awaiting acceptance" id="sec-pending">
                <Stack>
                  <PendingHandoff item={it} teamName={teamName} />
                  <PackageView item={it} fields={fields} />
                </Stack>
              </Section>
            )}
            {/* What the handoff needs comes first: its missing entries lead to the fields and
                checklist below. */}
            {it.state === "in_progress" && it.readiness && (
              <div ref={handoffRef}>
                <Section title={`Hand off to ${teamName(toTeam)}`} id="sec-handoff">
                  <HandoffPanel
                    key={`${it.key}-${it.handoffs.length}`}
                    item={it}
                    fields={fields}
                    form={form}
                    toTeamName={teamName(toTeam)}
                    editable={editable}
                    submitting={handoff.isPending || save.isPending}
                    error={handoff.error}
                    onSubmit={async ({ note, confirm }) => {
                      handoff.reset();
                      if (!(await saveFields())) return;
                      handoff.mutate(
                        { command: "handoff", body: { note: note.trim() || null, confirm } },
                        {
                          onSuccess: () =>
                            notifications.show({
                              message: `${key} handed off to ${teamName(toTeam)}.`,
                              color: "green",
                            }),
                        },
                      );
                    }}
                  />
                </Section>
              </div>
            )}
            {(editable || fields.some((f) => !inPackage.includes(f.key))) && (
              <Section title={inPackage.length > 0 ? "Other fields" : "Fields"} id="sec-fields">
                <FieldsForm
                  fields={fields}
                  form={form}
                  requires={it.readiness?.requires ?? []}
                  editable={editable}
                  users={users.data ?? []}
                  onSave={saveSoon}
                  saving={save.isPending}
                  error={save.error}
                  readOnlyValues={it.fields}
                  itemKey={it.key}
                  hidden={inPackage}
                />
              </Section>
            )}
            <Section title={`Checklist: ${it.step_name}`} id="sec-checklist">
              <ChecklistView item={it} editable={editable} />
            </Section>
            {it.questions && (
              <Section title="Questions" id="sec-questions">
                <QuestionsView item={it} teams={teams.data ?? []} teamName={teamName} />
              </Section>
            )}
            {(it.handoffs.length > 0 || (it.meetings?.length ?? 0) > 0 || meetsBefore) && (
              <Section title="Handoffs and meetings" id="sec-handoffs">
                <HandoffRecord
                  item={it}
                  teams={teams.data ?? []}
                  teamName={teamName}
                  nextHandoff={toTeam ? { fromTeam: it.owner_team, toTeam } : null}
                />
              </Section>
            )}
            <Section title="Comments" id="sec-comments">
              <CommentsView item={it} />
            </Section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md">
            <Section title="Details" id="sec-details">
              <Stack gap={4}>
                <Text size="sm">
                  Workflow:{" "}
                  {/* Underlined: in dark mode the link's blue is too close to the text around it. */}
                  <Anchor
                    component={Link}
                    to={`/workflows/${it.workflow}`}
                    size="sm"
                    underline="always"
                  >
                    {workflow.data?.definition.name ?? it.workflow}
                  </Anchor>{" "}
                  (version {it.workflow_version})
                </Text>
                <Text size="sm">
                  Assignee: {it.assignee ? names.person(it.assignee) : "nobody"}
                </Text>
                <Text size="sm">
                  Created by {names.person(it.created_by)}, {formatDateTime(it.created_at)}
                </Text>
                {Object.entries(it.rework).map(([step, n]) => (
                  <Text size="sm" key={step} c="var(--baton-orange)">
                    Returned {n}× at “{stepName(step)}”
                  </Text>
                ))}
              </Stack>
            </Section>
            <Section title="Timeline" id="sec-timeline">
              <TimelineView item={it} teamName={teamName} labels={labels} stepName={stepName} />
            </Section>
          </Stack>
        </Grid.Col>
      </Grid>

      <LeaveDialog blocker={blocker} form={form} saveFailed={save.isError} />
      {(it.state === "awaiting_acceptance" || dialog === "accept" || dialog === "reject") && (
        <>
          <AcceptDialog
            item={it}
            teamName={teamName}
            opened={dialog === "accept" && !blocked}
            onClose={() => setDialog(null)}
          />
          <RejectDialog
            itemKey={it.key}
            opened={dialog === "reject"}
            onClose={() => setDialog(null)}
          />
        </>
      )}
      {(dialog === "pause" || dialog === "cancel") && (
        <ReasonDialog item={it} kind={dialog} onClose={() => setDialog(null)} />
      )}
      {dialog === "assign" && (
        <AssignDialog item={it} members={nextMembers} onClose={() => setDialog(null)} />
      )}
    </Stack>
  );
}
