import { Group, Text, Tooltip } from "@mantine/core";
import { IconChartLine } from "@tabler/icons-react";
import { type Forecast, useForecast } from "../../api/queries.ts";
import type { Item } from "../../api/types.ts";

const day = new Intl.DateTimeFormat("en", { month: "short", day: "numeric" });

const clockWords: Record<string, string> = {
  accept: "the accept limit",
  complete: "the step's limit",
  answer: "the answer limit",
};

/** The forecast in one sentence: "73 % likely to breach the accept limit; expected done Mar 14, 85 % by Mar 19". */
export function forecastSentence(f: Forecast): string | null {
  const parts: string[] = [];
  const worst = f.breach
    .filter((b) => b.probability !== null)
    .sort((a, b) => (b.probability as number) - (a.probability as number))[0];
  if (worst)
    parts.push(
      `${Math.round((worst.probability as number) * 100)} % likely to breach ${clockWords[worst.kind] ?? "its limit"}`,
    );
  const c = f.completion;
  if (c.p50 && c.p85) {
    const p50 = day.format(new Date(c.p50));
    const p85 = day.format(new Date(c.p85));
    parts.push(p50 === p85 ? `expected done ${p50}` : `expected done ${p50}, 85 % by ${p85}`);
  }
  return parts.length === 0 ? null : parts.join("; ");
}

/** A line under the NEXT banner with what the history says; silent when it says nothing. */
export function ForecastLine({ item }: { item: Item }) {
  const open = item.state !== "done" && item.state !== "cancelled";
  const forecast = useForecast(item.key, open ? item.version : undefined);
  if (!open || !forecast.data) return null;
  const sentence = forecastSentence(forecast.data);
  const basis = `From ${forecast.data.completion.sample_size} past cases of this workflow`;
  return (
    <Group gap={6} wrap="nowrap" data-testid="forecast">
      <IconChartLine size={16} aria-hidden />
      {sentence ? (
        <Tooltip label={basis}>
          <Text size="sm">{sentence}</Text>
        </Tooltip>
      ) : (
        <Text size="sm" c="dimmed">
          {forecast.data.completion.reason
            ? `No forecast yet: ${forecast.data.completion.reason}.`
            : "No forecast yet."}
        </Text>
      )}
    </Group>
  );
}
