import { Button, Group, Kbd, Select, TextInput } from "@mantine/core";
import { IconFilter, IconSearch } from "@tabler/icons-react";
import { type RefObject, useState } from "react";
import { STALLED_AFTER_DAYS } from "../../api/queries.ts";
import type { Team } from "../../api/types.ts";
import { days, stalledChoices } from "./queue-tabs.tsx";
import { type QueueView, sortChoices } from "./queue-view.ts";

/*
 * Search, filters and sort above the list. Phones (390 px) put the first rows on screen: the
 * filters sit behind a button there.
 */

export function QueueToolbar({
  view,
  workflows,
  members,
  phone,
  searchRef,
}: {
  view: QueueView;
  /** The workflows of the tab's rows, for the workflow filter. */
  workflows: string[];
  members: Team["members"];
  phone: boolean;
  /** `/` focuses the search. */
  searchRef: RefObject<HTMLInputElement | null>;
}) {
  const { tab, search, workflow, assignee, sort, stalledAfterDays, setParam } = view;
  const [filtersOpen, setFiltersOpen] = useState(false);
  const assigneeOptions = [
    { value: "__me", label: "Me" },
    { value: "__none", label: "Unassigned" },
    ...members.map((m) => ({ value: m.email, label: m.name })),
  ];
  const activeFilters = [workflow, assignee, sort !== "urgent" ? sort : ""].filter(Boolean).length;
  const filterInputs = (
    <>
      <Select
        label="Workflow"
        placeholder="All workflows"
        clearable
        data={workflows}
        value={workflow || null}
        onChange={(v) => setParam("workflow", v)}
        w={{ base: "47%", xs: 170 }}
      />
      <Select
        label="Assignee"
        placeholder="Anyone"
        clearable
        data={assigneeOptions}
        value={assignee || null}
        onChange={(v) => setParam("assignee", v)}
        w={{ base: "47%", xs: 170 }}
      />
      <Select
        label="Sort"
        allowDeselect={false}
        data={sortChoices}
        value={sort}
        onChange={(v) => setParam("sort", v === "urgent" ? null : v)}
        w={{ base: "47%", xs: 170 }}
      />
      {tab === "stalled" && (
        <Select
          label="Stalled after"
          allowDeselect={false}
          data={[...new Set([...stalledChoices, stalledAfterDays])]
            .sort((a, b) => a - b)
            .map((n) => ({
              value: String(n),
              label: n === 0 ? "Workflow's stall_after" : `${days(n)} untouched`,
            }))}
          value={String(stalledAfterDays)}
          onChange={(v) =>
            setParam("stalled_after_days", v && Number(v) !== STALLED_AFTER_DAYS ? v : null)
          }
          w={{ base: "47%", xs: 180 }}
        />
      )}
    </>
  );

  return (
    <>
      <Group gap="sm" align="flex-end" wrap={phone ? "nowrap" : "wrap"}>
        <TextInput
          ref={searchRef}
          label={phone ? undefined : "Search"}
          aria-label="Search"
          placeholder="Key or title"
          leftSection={<IconSearch size={16} aria-hidden />}
          rightSection={<Kbd size="xs">/</Kbd>}
          value={search}
          onChange={(e) => setParam("q", e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape" || e.key === "Enter") e.currentTarget.blur();
          }}
          w={phone ? undefined : 220}
          style={phone ? { flex: 1 } : undefined}
        />
        {phone && (
          <Button
            variant={filtersOpen ? "light" : "default"}
            leftSection={<IconFilter size={16} aria-hidden />}
            onClick={() => setFiltersOpen((o) => !o)}
            aria-expanded={filtersOpen}
            aria-controls="queue-filters"
          >
            Filters{activeFilters > 0 ? ` (${activeFilters})` : ""}
          </Button>
        )}
        {!phone && filterInputs}
      </Group>
      {phone && filtersOpen && (
        <Group gap="sm" align="flex-end" wrap="wrap" id="queue-filters">
          {filterInputs}
        </Group>
      )}
    </>
  );
}
