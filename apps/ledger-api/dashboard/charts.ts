/// <reference lib="dom" />
/**
 * ECharts with only the pieces the page draws (bar, line, pie; canvas), which keeps the bundle light.
 * Charts are created on first use per container and resized with the window.
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { byId } from './dom';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, DataZoomComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export const PALETTE = ['#2f6fdf', '#f08a24', '#2a9d8f', '#d1495b', '#8d6cc1', '#7a8b99', '#e9c46a'];
export const BUCKET_COLOURS = ['#2a9d8f', '#e9c46a', '#f08a24', '#d1495b', '#8b1e3f'];

const charts = new Map<string, echarts.ECharts>();

/**
 * Draws a chart into its container. A canvas says nothing to a screen reader, so the container is an
 * image whose label is `summary`: the figures the chart shows, in words.
 */
export function draw(containerId: string, option: ChartOption, summary: string): echarts.ECharts {
  const container = byId(containerId);
  container.setAttribute('role', 'img');
  container.setAttribute('aria-label', summary);
  let chart = charts.get(containerId);
  if (!chart || chart.isDisposed()) {
    chart = echarts.init(container, undefined, { renderer: 'canvas' });
    charts.set(containerId, chart);
  }
  chart.setOption({ color: PALETTE, textStyle: { fontFamily: 'inherit' }, animation: false, ...option }, { notMerge: true });
  return chart;
}

export function resizeCharts(): void {
  for (const chart of charts.values()) if (!chart.isDisposed()) chart.resize();
}

export const GRID = { left: 64, right: 24, top: 36, bottom: 32, containLabel: false };

export function moneyAxis(name?: string): Record<string, unknown> {
  return { type: 'value', name, axisLabel: { formatter: (v: number) => (Math.abs(v) >= 10000 ? `${v / 10000}万` : String(v)) } };
}

/**
 * The grid and category axis of a horizontal bar chart with long labels (English and Chinese). The grid
 * makes room for the labels it measures rather than a fixed margin, and on a narrow screen the labels
 * wrap in a narrower column, so neither the labels nor the bars are cut. `valueRoom` is the room right
 * of the bars for their value labels.
 */
export function labelledBars(categories: string[], valueRoom: number): ChartOption {
  return {
    grid: { left: 8, right: valueRoom, top: 12, bottom: 24, containLabel: true },
    yAxis: { type: 'category', inverse: true, data: categories, axisLabel: { width: 200, overflow: 'break' } },
    media: [{ query: { maxWidth: 520 }, option: { grid: { right: Math.round(valueRoom * 0.75) }, xAxis: { splitNumber: 3 }, yAxis: { axisLabel: { width: 100 } } } }],
  };
}

/** The items of a chart's summary (its aria-label), or 'none' when the chart has nothing to draw. */
export function listed(items: string[], separator = ', '): string {
  return items.length > 0 ? items.join(separator) : 'none';
}
