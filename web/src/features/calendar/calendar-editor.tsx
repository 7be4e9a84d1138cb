import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  Checkbox,
  Group,
  List,
  Modal,
  Select,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconPlus, IconTrash } from "@tabler/icons-react";
import { useId, useMemo, useState } from "react";
import { ApiError } from "../../api/client.ts";
import { useCalendar, useSetCalendar } from "../../api/queries.ts";
import { type BusinessCalendar, type Weekday, weekdays } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import {
  type CalendarDraft,
  dayNames,
  describeDay,
  describePath,
  errorsByPath,
  fromDraft,
  type IntervalRow,
  nextInterval,
  normalizeTime,
  nowIn,
  rowId,
  sameCalendar,
  timeZones,
  toDraft,
} from "./calendar-form.ts";

/*
 * A team's business calendar: the time zone, working intervals per weekday and holidays its
 * service-level clocks count in. Admins and the team's leads edit it; everyone else reads it.
 * The server validates; its problems appear beside the field they are about, in words, and all
 * together above the buttons.
 */

type ErrorAt = (path: string) => string | null;

function TimeField({
  label,
  value,
  onChange,
  error,
  describedBy,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error: string | boolean;
  describedBy: string | undefined;
}) {
  return (
    <TextInput
      aria-label={label}
      placeholder="09:00"
      value={value}
      maxLength={5}
      w={74}
      size="xs"
      error={error}
      aria-describedby={describedBy}
      onChange={(e) => onChange(e.currentTarget.value)}
      onBlur={(e) => onChange(normalizeTime(e.currentTarget.value))}
      styles={{ input: { fontVariantNumeric: "tabular-nums" } }}
    />
  );
}

function DayRow({
  day,
  intervals,
  errorAt,
  onChange,
}: {
  day: Weekday;
  intervals: IntervalRow[];
  errorAt: ErrorAt;
  onChange: (rows: IntervalRow[], structural: boolean) => void;
}) {
  const name = dayNames[day];
  const idBase = useId();
  const dayError = errorAt(`hours.${day}`);
  const set = (i: number, part: "start" | "end", v: string) =>
    onChange(
      intervals.map((r, j) => (j === i ? { ...r, [part]: v } : r)),
      false,
    );
  return (
    <Table.Tr data-day={day}>
      <Table.Th scope="row" w={120} style={{ verticalAlign: "top", paddingTop: 12 }}>
        {name}
      </Table.Th>
      <Table.Td>
        <Stack gap={6}>
          {intervals.length === 0 && (
            <Text size="sm" c="dimmed" py={4}>
              Closed
            </Text>
          )}
          {intervals.map((r, i) => {
            const path = `hours.${day}[${i}]`;
            const whole = errorAt(path);
            const start = errorAt(`${path}[0]`);
            const end = errorAt(`${path}[1]`);
            const msgId = `${idBase}-${r.id}`;
            return (
              <Stack key={r.id} gap={2}>
                <Group gap={6} wrap="nowrap">
                  <TimeField
                    label={`${name} interval ${i + 1} start`}
                    value={r.start}
                    onChange={(v) => set(i, "start", v)}
                    error={start ?? !!whole}
                    describedBy={whole ? msgId : undefined}
                  />
                  <Text size="sm" aria-hidden>
                    –
                  </Text>
                  <TimeField
                    label={`${name} interval ${i + 1} end`}
                    value={r.end}
                    onChange={(v) => set(i, "end", v)}
                    error={end ?? !!whole}
                    describedBy={whole ? msgId : undefined}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    aria-label={`Remove ${name} interval ${i + 1}`}
                    onClick={() =>
                      onChange(
                        intervals.filter((x) => x.id !== r.id),
                        true,
                      )
                    }
                  >
                    <IconTrash size={16} aria-hidden />
                  </ActionIcon>
                </Group>
                {whole && (
                  <Text size="xs" c="var(--baton-red)" id={msgId} data-error-path={path}>
                    {whole}
                  </Text>
                )}
              </Stack>
            );
          })}
          {dayError && (
            <Text size="xs" c="var(--baton-red)" data-error-path={`hours.${day}`}>
              {dayError}
            </Text>
          )}
        </Stack>
      </Table.Td>
      <Table.Td w={130} ta="right" style={{ verticalAlign: "top" }}>
        <Button
          size="compact-sm"
          variant="subtle"
          leftSection={<IconPlus size={14} aria-hidden />}
          aria-label={`Add hours on ${name}`}
          onClick={() => onChange([...intervals, nextInterval(intervals)], true)}
        >
          Add hours
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

function HolidaysEditor({
  holidays,
  errorAt,
  onChange,
}: {
  holidays: CalendarDraft["holidays"];
  errorAt: ErrorAt;
  onChange: (rows: CalendarDraft["holidays"], structural: boolean) => void;
}) {
  const listError = errorAt("holidays");
  const set = (id: number, patch: Partial<CalendarDraft["holidays"][number]>) =>
    onChange(
      holidays.map((h) => (h.id === id ? { ...h, ...patch } : h)),
      false,
    );
  return (
    <Stack gap="xs">
      {holidays.length === 0 && (
        <Text size="sm" c="dimmed">
          No holidays: every weekday above counts. Add the days the team does not work, such as
          public holidays; yearly ones repeat on the same date.
        </Text>
      )}
      {holidays.map((h, i) => {
        const path = `holidays[${i}]`;
        const whole = errorAt(path) ?? errorAt(`${path}.yearly`);
        return (
          <Stack key={h.id} gap={2} data-holiday={i}>
            <Group gap="xs" align="flex-start" wrap="wrap">
              <TextInput
                type="date"
                size="xs"
                aria-label={`Holiday ${i + 1} date`}
                value={h.date}
                onChange={(e) => set(h.id, { date: e.currentTarget.value })}
                error={errorAt(`${path}.date`)}
                w={150}
              />
              <TextInput
                size="xs"
                aria-label={`Holiday ${i + 1} name`}
                placeholder="Name, e.g. New Year's Day"
                value={h.name}
                maxLength={200}
                onChange={(e) => set(h.id, { name: e.currentTarget.value })}
                error={errorAt(`${path}.name`)}
                style={{ flex: "1 1 180px" }}
              />
              <Checkbox
                size="xs"
                mt={6}
                label="Every year"
                aria-label={`Holiday ${i + 1} every year`}
                checked={h.yearly}
                onChange={(e) => set(h.id, { yearly: e.currentTarget.checked })}
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={`Remove holiday ${i + 1}`}
                onClick={() =>
                  onChange(
                    holidays.filter((x) => x.id !== h.id),
                    true,
                  )
                }
              >
                <IconTrash size={16} aria-hidden />
              </ActionIcon>
            </Group>
            {whole && (
              <Text size="xs" c="var(--baton-red)" data-error-path={path}>
                {whole}
              </Text>
            )}
          </Stack>
        );
      })}
      {listError && (
        <Text size="xs" c="var(--baton-red)" data-error-path="holidays">
          {listError}
        </Text>
      )}
      <Group>
        <Button
          size="compact-sm"
          variant="subtle"
          leftSection={<IconPlus size={14} aria-hidden />}
          onClick={() =>
            onChange([...holidays, { id: rowId(), date: "", name: "", yearly: false }], true)
          }
        >
          Add holiday
        </Button>
      </Group>
    </Stack>
  );
}

/** The calendar for people who may not change it. */
function CalendarReadOnly({ calendar }: { calendar: BusinessCalendar }) {
  return (
    <Stack gap="sm">
      <Text size="sm">
        Time zone: <b>{calendar.timezone}</b>
      </Text>
      <Table withRowBorders={false} verticalSpacing={2} w="auto" aria-label="Working hours">
        <Table.Tbody>
          {weekdays.map((d) => (
            <Table.Tr key={d}>
              <Table.Th scope="row" w={120} fw={500}>
                {dayNames[d]}
              </Table.Th>
              <Table.Td>{describeDay(calendar.hours[d] ?? [])}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {calendar.holidays.length > 0 ? (
        <List size="sm" aria-label="Holidays">
          {calendar.holidays.map((h) => (
            <List.Item key={`${h.date}-${h.name ?? ""}`}>
              {h.date}
              {h.name ? ` — ${h.name}` : ""}
              {h.yearly ? " (every year)" : ""}
            </List.Item>
          ))}
        </List>
      ) : (
        <Text size="sm" c="dimmed">
          No holidays.
        </Text>
      )}
    </Stack>
  );
}

/** The server refused the calendar: each problem in words, so none hides in a collapsed row. */
function ValidationSummary({ errors }: { errors: readonly { path: string; message: string }[] }) {
  return (
    <Alert
      color="red"
      variant="light"
      title="The calendar was not saved"
      icon={<IconAlertTriangle aria-hidden />}
      role="alert"
    >
      <List size="sm">
        {errors.map((e) => (
          <List.Item key={`${e.path}:${e.message}`}>
            {describePath(e.path)}: {e.message}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

export function CalendarEditor({
  team,
  teamName,
  canEdit,
}: {
  team: string;
  teamName: string;
  canEdit: boolean;
}) {
  const calendar = useCalendar(team);
  const save = useSetCalendar(team);
  const [draft, setDraft] = useState<CalendarDraft | null>(null);
  const [confirmReset, setConfirmReset] = useState(false);
  const loaded = calendar.data;
  // The form starts from what the server has; it follows the server until someone edits.
  const baseline = useMemo(() => (loaded ? toDraft(loaded) : null), [loaded]);
  const form = draft ?? baseline;
  const zones = useMemo(() => timeZones(form?.timezone ?? "UTC"), [form?.timezone]);

  if (calendar.isError) return <ProblemAlert error={calendar.error} />;
  if (!loaded || !form)
    return (
      <Stack gap="xs" aria-busy="true" aria-label={`Loading the calendar of ${teamName}`}>
        <Skeleton height={32} width="50%" />
        <Skeleton height={180} />
      </Stack>
    );

  const isDirty = draft !== null && !sameCalendar(fromDraft(draft), loaded);
  const invalid =
    save.error instanceof ApiError && save.error.fieldErrors.length > 0 ? save.error : null;
  const errors = errorsByPath(invalid?.fieldErrors ?? []);
  const localNow = nowIn(form.timezone);

  /** Edits the draft; adding or removing rows clears the server's errors, whose paths would
   * then point at the wrong rows. */
  const edit = (f: (d: CalendarDraft) => CalendarDraft, structural = false) => {
    if (structural && save.error) save.reset();
    setDraft(f(form));
  };
  const submit = () =>
    save.mutate(fromDraft(form), {
      onSuccess: () => {
        setDraft(null);
        notifications.show({
          message: `Calendar of ${teamName} saved. Open deadlines follow it.`,
          color: "green",
        });
      },
    });
  const reset = () =>
    save.mutate(null, {
      onSuccess: () => {
        setDraft(null);
        setConfirmReset(false);
        notifications.show({
          message: `${teamName} uses the default calendar again.`,
          color: "green",
        });
      },
    });

  return (
    <Stack gap="md">
      <Group gap="xs">
        {loaded.default && !isDirty ? (
          <Badge variant="light" color="gray" size="sm">
            Default calendar
          </Badge>
        ) : (
          <Badge variant="light" color="blue" size="sm">
            Own calendar
          </Badge>
        )}
        {isDirty && (
          <Badge variant="light" color="orange" size="sm">
            Unsaved changes
          </Badge>
        )}
      </Group>
      <Text size="sm" c="dimmed">
        The service-level clocks of {teamName} count only working time in this calendar.
        {loaded.default ? " It has none of its own yet, so it uses the default." : ""}
        {canEdit ? "" : ` Only admins and leads of ${teamName} can change it.`}
      </Text>

      {!canEdit ? (
        <CalendarReadOnly calendar={loaded} />
      ) : (
        <form
          aria-label={`Calendar of ${teamName}`}
          onSubmit={(e) => {
            e.preventDefault();
            if (isDirty) submit();
          }}
        >
          <Stack gap="md">
            <Select
              label="Time zone"
              description={
                localNow
                  ? `Hours and holidays are local times there; it is ${localNow} there now.`
                  : "Hours and holidays are local times in this zone."
              }
              data={zones}
              value={form.timezone}
              onChange={(v) => v && edit((d) => ({ ...d, timezone: v }))}
              searchable
              allowDeselect={false}
              limit={200}
              error={errors.at("timezone")}
              maw={360}
            />

            <Box maw={640}>
              <Title order={3} size="h5" mb={4}>
                Working hours
              </Title>
              {errors.at("hours") && (
                <Text size="xs" c="var(--baton-red)" data-error-path="hours" mb={4}>
                  {errors.at("hours")}
                </Text>
              )}
              <Table.ScrollContainer minWidth={420}>
                <Table verticalSpacing={6} aria-label="Working hours">
                  <Table.Tbody>
                    {weekdays.map((day) => (
                      <DayRow
                        key={day}
                        day={day}
                        intervals={form.hours[day]}
                        errorAt={errors.at}
                        onChange={(rows, structural) =>
                          edit((d) => ({ ...d, hours: { ...d.hours, [day]: rows } }), structural)
                        }
                      />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Box>

            <div>
              <Title order={3} size="h5" mb={4}>
                Holidays
              </Title>
              <HolidaysEditor
                holidays={form.holidays}
                errorAt={errors.at}
                onChange={(rows, structural) => edit((d) => ({ ...d, holidays: rows }), structural)}
              />
            </div>

            {invalid ? (
              <ValidationSummary errors={errors.all} />
            ) : (
              <ProblemAlert
                error={save.variables === null ? null : save.error}
                onClose={save.reset}
              />
            )}
            <Group gap="sm">
              <Button
                type="submit"
                disabled={!isDirty}
                loading={save.isPending && save.variables !== null}
              >
                Save calendar
              </Button>
              {isDirty && (
                <Button
                  variant="default"
                  onClick={() => {
                    setDraft(null);
                    save.reset();
                  }}
                >
                  Discard changes
                </Button>
              )}
              {!loaded.default && (
                <Button variant="subtle" color="red" onClick={() => setConfirmReset(true)}>
                  Reset to default
                </Button>
              )}
            </Group>
          </Stack>
        </form>
      )}

      <Modal
        opened={confirmReset}
        onClose={() => setConfirmReset(false)}
        title={`Reset the calendar of ${teamName}?`}
      >
        <Stack>
          <Text size="sm">
            {teamName} goes back to the default calendar: UTC, Monday to Friday 09:00–17:00, no
            holidays. Its own hours and holidays are discarded, and open deadlines move.
          </Text>
          <ProblemAlert error={save.variables === null ? save.error : null} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmReset(false)}>
              Back
            </Button>
            <Button color="red" loading={save.isPending && save.variables === null} onClick={reset}>
              Reset to default
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
