import { Table } from "@mantine/core";

/**
 * A table's header row: the named columns, then an unlabelled column for row actions whose name
 * screen readers still hear.
 */
export function TableHead({ columns, actions = true }: { columns: string[]; actions?: boolean }) {
  return (
    <Table.Thead>
      <Table.Tr>
        {columns.map((c) => (
          <Table.Th key={c}>{c}</Table.Th>
        ))}
        {actions && (
          <Table.Th>
            <span className="visually-hidden">Actions</span>
          </Table.Th>
        )}
      </Table.Tr>
    </Table.Thead>
  );
}
