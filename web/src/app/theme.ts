import {
  type CSSVariablesResolver,
  createTheme,
  DEFAULT_THEME,
  type MantineColorsTuple,
} from "@mantine/core";

/** Mantine's palette with shades 8 and 9 darkened, so text in them passes 4.5:1 on white and
 * on the light tints (stock green.9 is 4.4:1, orange.9 4.3:1, red.8 4.0:1). */
function darken(name: "green" | "orange" | "red", eight: string, nine: string): MantineColorsTuple {
  const c = [...DEFAULT_THEME.colors[name]];
  c[8] = eight;
  c[9] = nine;
  return c as unknown as MantineColorsTuple;
}

/*
 * Mantine's defaults with contrast raised to WCAG AA: the primary shade and "dimmed" text are
 * darker than stock (stock blue.6 buttons and gray.6 dimmed text fall under 4.5:1 on white).
 */
export const theme = createTheme({
  primaryColor: "blue",
  colors: {
    green: darken("green", "#237032", "#1b5e28"),
    orange: darken("orange", "#b8440c", "#9a3a0a"),
    red: darken("red", "#c62828", "#a61e1e"),
  },
  // Filled buttons keep white text above 4.5:1 in both schemes (stock dark blue.5 is 3.0:1).
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: "md",
  fontFamily:
    "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  headings: { fontWeight: "650" },
  components: {
    Badge: { defaultProps: { radius: "sm" } },
    Modal: { defaultProps: { closeButtonProps: { "aria-label": "Close" } } },
    Notification: { defaultProps: { closeButtonProps: { "aria-label": "Dismiss" } } },
  },
});

export const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": t.colors.gray[7] ?? "#495057",
    "--mantine-color-placeholder": t.colors.gray[7] ?? "#495057",
    "--mantine-color-error": t.colors.red[9] ?? "#a61e1e",
    // Text of light and subtle variants (alerts, light badges, subtle buttons): the darkest shade.
    ...Object.fromEntries(
      ["blue", "green", "orange", "red", "yellow", "gray", "violet", "grape"].map((c) => [
        `--mantine-color-${c}-light-color`,
        t.colors[c]?.[9] ?? "#000",
      ]),
    ),
  },
  // Stock dark "dimmed" (dark.2) is 4.0:1 on the dark body; dark.1 keeps it above 4.5:1.
  dark: {
    "--mantine-color-dimmed": t.colors.dark[1] ?? "#b8b8b8",
    "--mantine-color-placeholder": t.colors.dark[1] ?? "#b8b8b8",
  },
});
