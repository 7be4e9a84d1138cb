import { ActionIcon, Tooltip } from "@mantine/core";
import { IconBell } from "@tabler/icons-react";
import { Link, useLocation } from "react-router";
import { useUnreadCount } from "../api/notifications.ts";

/**
 * The header's bell: the unread count of the reader's inbox, kept current by the live stream
 * (new lines arrive as `notification` events, see LiveProvider), linking to the inbox. The
 * count sits inside the link, so a screen reader hears one name: "Inbox, 3 unread".
 */
export function Bell() {
  const count = useUnreadCount();
  const here = useLocation().pathname === "/inbox";
  const unread = count.data?.unread ?? 0;
  const label = unread === 0 ? "Inbox, nothing unread" : `Inbox, ${unread} unread`;
  return (
    <Tooltip label={label}>
      <ActionIcon
        component={Link}
        to="/inbox"
        variant={here ? "light" : "subtle"}
        color="gray"
        size="lg"
        aria-label={label}
        aria-current={here ? "page" : undefined}
        data-testid="bell"
        data-unread={count.data ? unread : undefined}
        pos="relative"
        style={{ overflow: "visible" }}
      >
        <IconBell size={20} aria-hidden />
        {unread > 0 && (
          <span className="bell-count" aria-hidden>
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </ActionIcon>
    </Tooltip>
  );
}
