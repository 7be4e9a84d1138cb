import { Button, Tooltip } from "@mantine/core";
import { IconEye, IconEyeOff } from "@tabler/icons-react";
import { useSetWatch, useWatch } from "../../api/notifications.ts";

/**
 * Watch or stop watching an item: watchers hear of every change of owner, state or due date
 * (its creator watches from the start). The button names what it will do ("Watch",
 * "Unwatch"), so its name also says whether the reader watches the item now.
 */
export function WatchButton({ itemKey }: { itemKey: string }) {
  const watch = useWatch(itemKey);
  const set = useSetWatch(itemKey);
  if (!watch.data) return null;
  const { watching, watchers } = watch.data;
  const others = watchers.length - (watching ? 1 : 0);
  const help = watching
    ? "You hear of every change of owner, state or due date"
    : "Hear of every change of owner, state or due date";
  return (
    <Tooltip
      label={`${help}. ${watchers.length === 0 ? "Nobody watches it" : `${watchers.length} watching`}.`}
    >
      <Button
        size="xs"
        variant={watching ? "light" : "default"}
        leftSection={
          watching ? <IconEyeOff size={14} aria-hidden /> : <IconEye size={14} aria-hidden />
        }
        loading={set.isPending}
        onClick={() => set.mutate(!watching)}
        data-testid="watch"
      >
        {watching ? "Unwatch" : "Watch"}
        {others > 0 ? ` · ${others} other${others === 1 ? "" : "s"}` : ""}
      </Button>
    </Tooltip>
  );
}
