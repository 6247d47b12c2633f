package org.lrgrad.bench.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.lrgrad.bench.experiment.Study.ModelResult;
import org.lrgrad.bench.experiment.Study.Run;
import org.lrgrad.train.memory.MemoryTag;

/**
 * The PNG chart: one row per model, its personalization loss curves on the left (each method's batch loss, smoothed)
 * and its peak training memory by tag on the right (stacked bars).
 */
final class Chart {
  static final int PANEL_WIDTH = 760;
  static final int PANEL_HEIGHT = 440;
  /** Batch losses jump from batch to batch: the curves show the mean of the last this many steps. */
  static final int SMOOTHING = 10;

  /** One colour per method (in {@link Method} order) and one per memory tag (in {@link MemoryTag} order). */
  private static final Color[] METHOD_COLORS = {new Color(0x7f7f7f), new Color(0x1f77b4), new Color(0xd62728),
      new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e)};
  private static final Color[] TAG_COLORS = {new Color(0x4e79a7), new Color(0xf28e2b), new Color(0xe15759),
      new Color(0xb07aa1), new Color(0x59a14f), new Color(0x9c755f)};
  private static final Color GRID = new Color(0xd0d0d0);

  private Chart() {}

  static void write(List<ModelResult> results, Path file) throws IOException {
    BufferedImage image = new BufferedImage(2 * PANEL_WIDTH, results.size() * PANEL_HEIGHT,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      for (int i = 0; i < results.size(); i++) {
        int y = i * PANEL_HEIGHT;
        losses(results.get(i)).draw(g, new Rectangle2D.Double(0, y, PANEL_WIDTH, PANEL_HEIGHT));
        memory(results.get(i)).draw(g, new Rectangle2D.Double(PANEL_WIDTH, y, PANEL_WIDTH, PANEL_HEIGHT));
      }
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer in this JVM's ImageIO");
    }
  }

  private static JFreeChart losses(ModelResult result) {
    XYSeriesCollection curves = new XYSeriesCollection();
    for (Run run : result.runs()) {
      XYSeries series = new XYSeries(run.method().label);
      float[] losses = run.losses();
      double sum = 0;
      int finite = 0;
      for (int s = 0; s < losses.length; s++) {
        // A skipped step's loss may be NaN: the window mean runs over the finite ones.
        if (Float.isFinite(losses[s])) {
          sum += losses[s];
          finite++;
        }
        if (s >= SMOOTHING && Float.isFinite(losses[s - SMOOTHING])) {
          sum -= losses[s - SMOOTHING];
          finite--;
        }
        if (finite > 0) {
          series.add(s + 1, sum / finite);
        }
      }
      curves.addSeries(series);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(String.format(Locale.ROOT,
        "%s: personalization loss (mean of the last %d batches)", result.base().model(), SMOOTHING), "step",
        "cross-entropy", curves, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    style(chart);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    plot.getDomainAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    XYItemRenderer renderer = plot.getRenderer();
    for (int i = 0; i < result.runs().size(); i++) {
      renderer.setSeriesPaint(i, METHOD_COLORS[result.runs().get(i).method().ordinal()]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    return chart;
  }

  private static JFreeChart memory(ModelResult result) {
    DefaultCategoryDataset bars = new DefaultCategoryDataset();
    for (Run run : result.runs()) {
      for (MemoryTag tag : MemoryTag.values()) {
        bars.addValue(run.bytesByTag().get(tag) / (double) (1 << 20), tag.name().toLowerCase(Locale.ROOT)
            .replace('_', ' '), run.method().label);
      }
    }
    JFreeChart chart = ChartFactory.createStackedBarChart(result.base().model()
        + ": peak training memory by kind (ledger)", "method", "MiB", bars, PlotOrientation.VERTICAL, true, false,
        false);
    CategoryPlot plot = chart.getCategoryPlot();
    style(chart);
    plot.setRangeGridlinePaint(GRID);
    CategoryAxis methods = plot.getDomainAxis();
    methods.setMaximumCategoryLabelWidthRatio(2f);
    BarRenderer renderer = (BarRenderer) plot.getRenderer();
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    for (MemoryTag tag : MemoryTag.values()) {
      renderer.setSeriesPaint(tag.ordinal(), TAG_COLORS[tag.ordinal()]);
    }
    return chart;
  }

  private static void style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getPlot().setBackgroundPaint(Color.WHITE);
  }
}
