import { useComputedColorScheme } from "@mantine/core";
import { BarChart, LineChart, ScatterChart } from "echarts/charts";
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
} from "echarts/components";
import type { EChartsCoreOption } from "echarts/core";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

/*
 * ECharts, only the parts the review uses (echarts/core + three chart types + five components +
 * the SVG renderer), in the charts' own chunk. SVG rather than canvas: sharp at any zoom and in
 * screenshots, light on memory for charts this size, and text a browser can find. The chart
 * follows the page's colour scheme (ECharts' built-in dark theme) and redraws on resize.
 */

echarts.use([
  BarChart,
  LineChart,
  ScatterChart,
  AriaComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  SVGRenderer,
]);

export function EChart({
  option,
  label,
  height = 300,
  testId,
}: {
  option: EChartsCoreOption;
  /** What the chart shows, in a sentence: its accessible name (the table below has the numbers). */
  label: string;
  height?: number;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement | null>(null);
  const scheme = useComputedColorScheme("light");
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, scheme === "dark" ? "dark" : undefined, { renderer: "svg" });
    chart.setOption({
      backgroundColor: "transparent",
      animation: false,
      // ECharts describes the series in words too; the figure's name stays ours.
      aria: { enabled: true, label: { description: label } },
      textStyle: { fontFamily: "Inter, system-ui, sans-serif" },
      ...option,
    });
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.dispose();
    };
  }, [option, scheme, label]);
  return (
    <div
      ref={ref}
      style={{ height, width: "100%" }}
      role="img"
      aria-label={label}
      data-testid={testId}
    />
  );
}
