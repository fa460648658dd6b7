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

export function draw(containerId: string, option: ChartOption): echarts.ECharts {
  let chart = charts.get(containerId);
  if (!chart || chart.isDisposed()) {
    chart = echarts.init(byId(containerId), undefined, { renderer: 'canvas' });
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
