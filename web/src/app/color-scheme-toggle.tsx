import { ActionIcon, type MantineColorScheme, Menu, useMantineColorScheme } from "@mantine/core";
import { IconCheck, IconDeviceDesktop, IconMoon, IconSun } from "@tabler/icons-react";

/*
 * Light, dark, or whatever the system says (the default). The choice is kept in this browser
 * (localStorage, see main.tsx); "System" follows the operating system as it changes.
 */

const choices: { value: MantineColorScheme; label: string; icon: typeof IconSun }[] = [
  { value: "auto", label: "System", icon: IconDeviceDesktop },
  { value: "light", label: "Light", icon: IconSun },
  { value: "dark", label: "Dark", icon: IconMoon },
];

export function ColorSchemeToggle() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const current = choices.find((c) => c.value === colorScheme) ?? choices[0];
  const Icon = current?.icon ?? IconDeviceDesktop;
  return (
    <Menu position="bottom-end" width={160}>
      <Menu.Target>
        <ActionIcon
          variant="subtle"
          color="gray"
          size="lg"
          aria-label={`Colour scheme: ${current?.label ?? "System"}`}
        >
          <Icon size={18} aria-hidden />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Colour scheme</Menu.Label>
        {choices.map((c) => (
          <Menu.Item
            key={c.value}
            leftSection={<c.icon size={16} aria-hidden />}
            rightSection={c.value === colorScheme ? <IconCheck size={14} aria-hidden /> : null}
            onClick={() => setColorScheme(c.value)}
          >
            {c.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
