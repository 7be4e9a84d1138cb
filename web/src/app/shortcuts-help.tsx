import { Kbd, Modal, Table, Text } from "@mantine/core";

const groups: { title: string; keys: [string[], string][] }[] = [
  {
    title: "Queue",
    keys: [
      [["j"], "Next item"],
      [["k"], "Previous item"],
      [["Enter"], "Open the item"],
      [["x"], "Select or unselect the item"],
      [["c"], "Claim: assign the item to yourself"],
      [["a"], "Accept the incoming handoff"],
      [["r"], "Reject the incoming handoff…"],
      [["/"], "Search the queue"],
    ],
  },
  {
    title: "Item",
    keys: [
      [["a"], "Accept the handoff"],
      [["r"], "Reject the handoff…"],
      [["c"], "Claim"],
    ],
  },
  {
    title: "Anywhere",
    keys: [
      [["Ctrl", "K"], "Search items: any key, title, field or comment (⌘K on a Mac)"],
      [["?"], "Show this help"],
    ],
  },
];

/** The keyboard shortcuts, opened with `?`. */
export function ShortcutsHelp({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" size="md">
      {groups.map((g) => (
        <div key={g.title}>
          <Text fw={600} mt="sm" mb={4}>
            {g.title}
          </Text>
          <Table withRowBorders={false} verticalSpacing={4}>
            <Table.Tbody>
              {g.keys.map(([ks, what]) => (
                <Table.Tr key={`${g.title}-${ks.join("+")}`}>
                  <Table.Td w={90}>
                    {ks.map((k) => (
                      <Kbd key={k}>{k}</Kbd>
                    ))}
                  </Table.Td>
                  <Table.Td>{what}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      ))}
    </Modal>
  );
}
