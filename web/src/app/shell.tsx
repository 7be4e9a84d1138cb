import {
  Anchor,
  AppShell,
  Avatar,
  Box,
  Burger,
  Group,
  Menu,
  NavLink,
  ScrollArea,
  Text,
  Tooltip,
  UnstyledButton,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import {
  IconBell,
  IconChartDots,
  IconChevronDown,
  IconHome,
  IconInbox,
  IconKey,
  IconKeyboard,
  IconLogout,
  IconPlus,
  IconRoute,
  IconSettings,
  IconWebhook,
} from "@tabler/icons-react";
import type { ReactNode } from "react";
import { Link, useLocation } from "react-router";
import { useLiveStatus } from "../api/live-context.ts";
import { useTeams } from "../api/queries.ts";
import { useMe, useSignOut } from "../features/auth/session.ts";
import { useCanStartItems } from "../features/new-item/can-start.ts";
import { useKeys } from "../lib/keys.ts";
import { Bell } from "./bell.tsx";
import { ColorSchemeToggle } from "./color-scheme-toggle.tsx";
import { SearchButton } from "./search-button.tsx";
import { ShortcutsHelp } from "./shortcuts-help.tsx";

function LiveIndicator() {
  const status = useLiveStatus();
  const [color, label, help] =
    status === "live"
      ? ["var(--mantine-color-green-7)", "Live", "Changes by other people appear as they happen."]
      : status === "connecting"
        ? ["var(--mantine-color-orange-7)", "Connecting…", "Reconnecting to live updates."]
        : [
            "var(--mantine-color-gray-6)",
            "Refreshing every 15 s",
            "This server sends no live updates; lists refresh every 15 seconds.",
          ];
  return (
    <Tooltip label={help}>
      <Group gap={6} data-live={status} aria-live="polite" visibleFrom="xs" tabIndex={0}>
        <Box w={8} h={8} style={{ borderRadius: 8, background: color }} aria-hidden />
        <Text size="xs" c="dimmed">
          {label}
        </Text>
      </Group>
    </Tooltip>
  );
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .map((p) => p[0] ?? "")
    .join("")
    .slice(0, 2)
    .toUpperCase();
}

/** The frame around every signed-in page: header, navigation, skip link, shortcuts help. */
export function Shell({ children }: { children: ReactNode }) {
  const me = useMe();
  const canStart = useCanStartItems();
  const signOut = useSignOut();
  const teams = useTeams();
  const location = useLocation();
  const [navOpen, nav] = useDisclosure(false);
  const [helpOpen, help] = useDisclosure(false);
  useKeys({ "?": help.open });

  const teamName = (key: string) => teams.data?.find((t) => t.key === key)?.name ?? key;
  const here = location.pathname;
  const link = (to: string, label: string, icon: ReactNode, active = here === to) => (
    <NavLink
      component={Link}
      to={to}
      label={label}
      leftSection={icon}
      active={active}
      onClick={nav.close}
      aria-current={active ? "page" : undefined}
    />
  );

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 232, breakpoint: "sm", collapsed: { mobile: !navOpen } }}
      padding="md"
    >
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navOpen}
              onClick={nav.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={navOpen ? "Close navigation" : "Open navigation"}
            />
            <Anchor component={Link} to="/" underline="never" c="inherit" fw={700} fz="lg">
              Baton
            </Anchor>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <SearchButton />
            <ColorSchemeToggle />
            <LiveIndicator />
            <Bell />
            <Menu position="bottom-end" width={220}>
              <Menu.Target>
                <UnstyledButton>
                  <Group gap={6} wrap="nowrap">
                    <span aria-hidden>
                      <Avatar size="sm" color="blue" radius="xl">
                        {initials(me.name)}
                      </Avatar>
                    </span>
                    <Text size="sm" className="account-name">
                      {me.name}
                    </Text>
                    <IconChevronDown size={14} aria-hidden />
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{me.email}</Menu.Label>
                <Menu.Item
                  component={Link}
                  to="/settings/notifications"
                  leftSection={<IconBell size={16} />}
                >
                  Notification preferences
                </Menu.Item>
                <Menu.Item
                  component={Link}
                  to="/settings/tokens"
                  leftSection={<IconKey size={16} />}
                >
                  API tokens
                </Menu.Item>
                <Menu.Item leftSection={<IconKeyboard size={16} />} onClick={help.open}>
                  Keyboard shortcuts
                </Menu.Item>
                <Menu.Divider />
                <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => void signOut()}>
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" aria-label="Main">
        <AppShell.Section grow component={ScrollArea}>
          {link("/", "My work", <IconHome size={18} aria-hidden />)}
          <Text size="xs" fw={600} c="dimmed" px="sm" pt="md" pb={4} tt="uppercase">
            Team queues
          </Text>
          {me.teams.length === 0 ? (
            <Text size="sm" c="dimmed" px="sm">
              You are in no team yet.
            </Text>
          ) : (
            me.teams.map((t) =>
              link(
                `/teams/${t.key}`,
                teamName(t.key),
                <IconInbox size={18} aria-hidden />,
                here.startsWith(`/teams/${t.key}`),
              ),
            )
          )}
          {link("/teams", "All teams", <IconInbox size={18} aria-hidden />)}
          <Box pt="md" />
          {canStart && link("/new", "New item", <IconPlus size={18} aria-hidden />)}
          {link(
            "/workflows",
            "Workflows",
            <IconRoute size={18} aria-hidden />,
            here.startsWith("/workflows") && !here.endsWith("/review"),
          )}
          {link(
            "/review",
            "Review",
            <IconChartDots size={18} aria-hidden />,
            here === "/review" || here.endsWith("/review"),
          )}
          {me.admin &&
            link("/admin", "Admin", <IconSettings size={18} aria-hidden />, here === "/admin")}
          {(me.admin || me.teams.some((t) => t.role === "lead")) &&
            link("/admin/webhooks", "Webhooks", <IconWebhook size={18} aria-hidden />)}
        </AppShell.Section>
        <AppShell.Section>
          <NavLink
            component="button"
            label="Keyboard shortcuts"
            description="Press ? anywhere"
            leftSection={<IconKeyboard size={18} aria-hidden />}
            onClick={help.open}
          />
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main id="main" tabIndex={-1}>
        <Box maw={1200} mx="auto">
          {children}
        </Box>
      </AppShell.Main>
      <ShortcutsHelp opened={helpOpen} onClose={help.close} />
    </AppShell>
  );
}
