package org.lrgrad.bench.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.lrgrad.bench.experiment.Study.ArmResult;
import org.lrgrad.bench.experiment.Study.ModelResult;
import org.lrgrad.train.memory.MemoryTag;

/**
 * The PNG chart: one row per model, the memory–accuracy plane on the left (one point per arm: its ledger peak
 * against its mean accuracy over the users after personalization, the base model as a horizontal line; one series
 * per method, so a rank sweep draws each low-rank method's curve) and the peak training memory by tag on the right
 * (stacked bars).
 */
final class Chart {
  static final int PANEL_WIDTH = 760;
  static final int PANEL_HEIGHT = 480;

  /** One colour per method (in {@link Method} order) and one per memory tag (in {@link MemoryTag} order). */
  /** One colour per {@link Method}, in its order. */
  private static final Color[] METHOD_COLORS = {new Color(0x7f7f7f), new Color(0x1f77b4), new Color(0xd62728),
      new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e), new Color(0xe377c2), new Color(0x17becf),
      new Color(0xbcbd22), new Color(0x8c564b)};
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
        memoryAccuracy(results.get(i)).draw(g, new Rectangle2D.Double(0, y, PANEL_WIDTH, PANEL_HEIGHT));
        memory(results.get(i)).draw(g, new Rectangle2D.Double(PANEL_WIDTH, y, PANEL_WIDTH, PANEL_HEIGHT));
      }
    } finally {
      g.dispose();
    }
    OutputFile.write(file, out -> {
      if (!ImageIO.write(image, "png", out)) {
        throw new IOException("no PNG writer in this JVM's ImageIO");
      }
    });
  }

  private static JFreeChart memoryAccuracy(ModelResult result) {
    XYSeriesCollection points = new XYSeriesCollection();
    List<Method> methods = new ArrayList<>();
    for (Method method : Method.values()) {
      XYSeries series = new XYSeries(method.label, true, true);
      for (ArmResult arm : result.arms()) {
        // The ablations change LRG's settings, not its memory: they would stack on one x; the table has them.
        if (arm.arm().method() == method && !arm.arm().point().equals("ablation")) {
          series.add(arm.peakBytes() / (double) (1 << 20), 100 * arm.meanAccuracy());
        }
      }
      if (series.getItemCount() > 0) {
        points.addSeries(series);
        methods.add(method);
      }
    }
    JFreeChart chart = ChartFactory.createXYLineChart(String.format(Locale.ROOT,
        "%s: memory vs accuracy over %d users (base model %.1f%%)", result.base().model(), result.users().size(),
        100 * result.meanBefore()), "peak training memory (MiB, ledger)", "mean user test accuracy after (%)",
        points, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    style(chart);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(true);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < methods.size(); i++) {
      renderer.setSeriesPaint(i, METHOD_COLORS[methods.get(i).ordinal()]);
      renderer.setSeriesStroke(i, new BasicStroke(1.5f));
      renderer.setSeriesShape(i, new Ellipse2D.Double(-5, -5, 10, 10));
    }
    plot.setRenderer(renderer);
    return chart;
  }

  private static JFreeChart memory(ModelResult result) {
    DefaultCategoryDataset bars = new DefaultCategoryDataset();
    for (ArmResult arm : result.arms()) {
      if (!arm.arm().point().isEmpty() && !arm.arm().point().equals(Arm.THIRD)
          && !arm.arm().point().equals(Arm.MOMENTUM) && !arm.arm().point().equals(Arm.COMPRESSED)) {
        continue;
      }
      for (MemoryTag tag : MemoryTag.values()) {
        bars.addValue(arm.bytesByTag().get(tag) / (double) (1 << 20), tag.name().toLowerCase(Locale.ROOT)
            .replace('_', ' '), arm.arm().label());
      }
    }
    JFreeChart chart = ChartFactory.createStackedBarChart(result.base().model()
        + ": peak training memory by kind (ledger)", "arm", "MiB", bars, PlotOrientation.VERTICAL, true, false,
        false);
    CategoryPlot plot = chart.getCategoryPlot();
    style(chart);
    plot.setRangeGridlinePaint(GRID);
    CategoryAxis methods = plot.getDomainAxis();
    methods.setMaximumCategoryLabelWidthRatio(2f);
    methods.setCategoryLabelPositions(org.jfree.chart.axis.CategoryLabelPositions.UP_45);
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
