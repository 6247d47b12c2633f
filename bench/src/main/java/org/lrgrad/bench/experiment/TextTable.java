package org.lrgrad.bench.experiment;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table: the first column left-aligned, the others right-aligned, each as wide as its widest cell. */
final class TextTable {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  TextTable(String... header) {
    columns = header.length;
    rows.add(header);
  }

  TextTable row(String... cells) {
    if (cells.length != columns) {
      throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns + " columns");
    }
    rows.add(cells);
    return this;
  }

  /** The table's lines, each prefixed with {@code indent}. */
  List<String> lines(String indent) {
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder(indent);
      for (int c = 0; c < columns; c++) {
        String pad = " ".repeat(widths[c] - row[c].length());
        line.append(c == 0 ? "" : "  ").append(c == 0 ? row[c] + pad : pad + row[c]);
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }
}
