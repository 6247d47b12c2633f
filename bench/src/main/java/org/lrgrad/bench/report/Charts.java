package org.lrgrad.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.lrgrad.bench.report.Report.Gemm;
import org.lrgrad.bench.report.Report.Step;

/** The report's PNG charts (JFreeChart, drawn headless). */
final class Charts {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 560;
  /** Colours that stay apart on white (Tableau 10). */
  private static final Paint[] PALETTE = {new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759),
      new Color(0x76B7B2), new Color(0x59A14F), new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7),
      new Color(0x9C755F), new Color(0xBAB0AC)};

  private final Path dir;

  Charts(Path dir) {
    this.dir = dir;
  }

  /** Draws every chart the results allow; returns their file names, in the report's order. */
  List<String> draw(Report report) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> files = new ArrayList<>();
    // GFLOP/s versus size: one chart per thread count and transpose case (square), per layer too (low rank).
    Map<String, List<Gemm>> square = group(report.gemms(), g -> g.benchmark().equals(Report.SQUARE),
        g -> "sgemm-square-" + g.threads() + "t-" + g.transpose());
    for (Map.Entry<String, List<Gemm>> chart : square.entrySet()) {
      Gemm first = chart.getValue().get(0);
      files.add(gflopsChart(report, chart.getKey(), "sgemm " + Report.transposeText(first.transpose()) + ", "
          + first.threads() + " thread(s)", "m = n = k", chart.getValue(), Gemm::m));
    }
    // Low rank: GFLOP/s versus r per form and layer, with the bandwidth roof beside the compute roof.
    Map<String, List<Gemm>> lowRank = group(report.gemms(), g -> g.benchmark().equals(Report.LOW_RANK),
        g -> "sgemm-lowrank-" + g.form() + "-" + g.layer().replace('×', 'x') + "-" + g.threads() + "t-"
            + g.transpose());
    for (Map.Entry<String, List<Gemm>> chart : lowRank.entrySet()) {
      Gemm first = chart.getValue().get(0);
      String product = first.form().equals("project")
          ? "C (r×" + first.n() + ") ← A (r×" + first.k() + ")·B (" + first.k() + "×" + first.n() + ")"
          : "C (" + first.m() + "×" + first.n() + ") ← A (" + first.m() + "×r)·B (r×" + first.n() + ")";
      files.add(gflopsChart(report, chart.getKey(), "sgemm " + product + ", " + first.transpose() + ", "
          + first.threads() + " thread(s)", "r", chart.getValue(), Gemm::rank));
    }
    // Step time per optimizer, one chart per implementation; the state is the same for every implementation.
    Map<String, List<Step>> byImplementation = new LinkedHashMap<>();
    for (Step s : report.steps()) {
      byImplementation.computeIfAbsent(s.implementation(), key -> new ArrayList<>()).add(s);
    }
    for (Map.Entry<String, List<Step>> chart : byImplementation.entrySet()) {
      DefaultCategoryDataset data = new DefaultCategoryDataset();
      for (Step s : chart.getValue()) {
        data.addValue(s.micros() / 1000, s.layer(), s.step());
      }
      files.add(save("optimizer-time-" + chart.getKey(), ChartFactory.createBarChart(
          "Optimizer step time, kernels " + chart.getKey(), "step", "ms per step", data)));
    }
    if (!report.steps().isEmpty()) {
      DefaultCategoryDataset data = new DefaultCategoryDataset();
      for (Step s : report.steps()) {
        data.addValue(s.stateBytes() / (1024.0 * 1024), s.layer(), s.step());
      }
      files.add(save("optimizer-state", ChartFactory.createBarChart("Persistent optimizer state", "step", "MiB",
          data)));
    }
    return files;
  }

  private static <T> Map<String, List<T>> group(List<T> items, Predicate<T> filter,
      Function<T, String> key) {
    Map<String, List<T>> groups = new TreeMap<>();
    for (T item : items) {
      if (filter.test(item)) {
        groups.computeIfAbsent(key.apply(item), k -> new ArrayList<>()).add(item);
      }
    }
    return groups;
  }

  private String gflopsChart(Report report, String name, String title, String xLabel, List<Gemm> gemms,
      Function<Gemm, Integer> x) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    Map<String, XYSeries> series = new LinkedHashMap<>();
    for (String implementation : report.implementationOrder()) {
      for (Gemm g : gemms) {
        if (g.implementation().equals(implementation)) {
          series.computeIfAbsent(implementation, XYSeries::new).add(x.apply(g), Double.valueOf(g.gflops()));
        }
      }
    }
    series.values().forEach(data::addSeries);
    // The low-rank products' second roof: what the measured bandwidth allows at each r (Report.bandwidthRoof).
    XYSeries roof = new XYSeries("bandwidth roof");
    if (gemms.get(0).benchmark().equals(Report.LOW_RANK)) {
      for (Gemm g : gemms) {
        double value = report.bandwidthRoof(g);
        if (!Double.isNaN(value) && roof.indexOf(x.apply(g)) < 0) {
          roof.add(x.apply(g), Double.valueOf(value));
        }
      }
    }
    if (roof.getItemCount() > 0) {
      data.addSeries(roof);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, "GFLOP/s", data, PlotOrientation.VERTICAL,
        true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    int index = 0;
    for (String implementation : series.keySet()) {
      // One colour per implementation in every chart.
      renderer.setSeriesPaint(index++, PALETTE[report.implementationOrder().indexOf(implementation) % PALETTE.length]);
    }
    if (roof.getItemCount() > 0) {
      renderer.setSeriesPaint(index, Color.DARK_GRAY);
      renderer.setSeriesShapesVisible(index, false);
      renderer.setSeriesStroke(index, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
          new float[] {6f, 4f}, 0f));
    }
    plot.setRenderer(renderer);
    LogAxis axis = new LogAxis(xLabel);
    axis.setBase(2);
    axis.setTickUnit(new NumberTickUnit(1));
    axis.setNumberFormatOverride(new DecimalFormat("0"));
    double low = gemms.stream().mapToInt(x::apply).min().orElse(1);
    double high = gemms.stream().mapToInt(x::apply).max().orElse(2);
    axis.setRange(low / 1.5, high * 1.5);
    plot.setDomainAxis(axis);
    int threads = gemms.get(0).threads();
    double peak = report.peakAt(threads);
    double top = gemms.stream().mapToDouble(Gemm::gflops).filter(v -> !Double.isNaN(v)).max().orElse(1);
    for (int i = 0; i < roof.getItemCount(); i++) {
      // A roof far above the compute peak would flatten the chart: drawn up to twice the peak.
      double value = roof.getY(i).doubleValue();
      top = Math.max(top, Double.isNaN(peak) ? value : Math.min(value, 2 * peak));
    }
    if (!Double.isNaN(peak)) {
      ValueMarker marker = new ValueMarker(peak, Color.GRAY, new BasicStroke(1.5f));
      marker.setLabel("measured peak × " + threads);
      marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
      marker.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
      plot.addRangeMarker(marker);
      top = Math.max(top, peak);
    }
    plot.getRangeAxis().setRange(0, top * 1.08);
    return save(name, chart);
  }

  private String save(String name, JFreeChart chart) throws IOException {
    Plot plot = chart.getPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDrawingSupplier(new DefaultDrawingSupplier(PALETTE, DefaultDrawingSupplier.DEFAULT_FILL_PAINT_SEQUENCE,
        DefaultDrawingSupplier.DEFAULT_OUTLINE_PAINT_SEQUENCE, DefaultDrawingSupplier.DEFAULT_STROKE_SEQUENCE,
        DefaultDrawingSupplier.DEFAULT_OUTLINE_STROKE_SEQUENCE, DefaultDrawingSupplier.DEFAULT_SHAPE_SEQUENCE));
    if (plot instanceof XYPlot xy) {
      xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
      xy.setRangeGridlinePaint(Color.LIGHT_GRAY);
    } else if (plot instanceof CategoryPlot category) {
      category.setRangeGridlinePaint(Color.LIGHT_GRAY);
      ((BarRenderer) category.getRenderer()).setBarPainter(new StandardBarPainter());
    }
    String file = name + ".png";
    ChartUtils.saveChartAsPNG(dir.resolve(file).toFile(), chart, WIDTH, HEIGHT);
    return file;
  }
}
