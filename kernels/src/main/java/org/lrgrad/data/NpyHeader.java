package org.lrgrad.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The header of an NPY array: a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (7, 13), }}, parsed strictly: exactly the three keys
 * numpy writes, string / boolean / tuple-of-integers values, nothing after the closing brace but padding.
 */
final class NpyHeader {
  final String descr;
  final boolean fortranOrder;
  final int[] shape;

  private NpyHeader(String descr, boolean fortranOrder, int[] shape) {
    this.descr = descr;
    this.fortranOrder = fortranOrder;
    this.shape = shape;
  }

  static NpyHeader parse(String text, String source) throws IOException {
    return new Parser(text, source).header();
  }

  private static final class Parser {
    private final String text;
    private final String source;
    private int pos;

    Parser(String text, String source) {
      this.text = text;
      this.source = source;
    }

    NpyHeader header() throws IOException {
      String descr = null;
      Boolean fortranOrder = null;
      int[] shape = null;
      expect('{');
      while (peek() != '}') {
        String key = string();
        expect(':');
        if (key.equals("descr") && descr == null) {
          descr = string();
        } else if (key.equals("fortran_order") && fortranOrder == null) {
          fortranOrder = bool();
        } else if (key.equals("shape") && shape == null) {
          shape = tuple();
        } else {
          throw error("unexpected or repeated key '" + key + "' (an NPY header has exactly 'descr', "
              + "'fortran_order' and 'shape')");
        }
        if (peek() != ',') {
          break;
        }
        pos++;
      }
      expect('}');
      skipSpace();
      if (pos != text.length()) {
        throw error("unexpected text after the header's closing brace");
      }
      if (descr == null || fortranOrder == null || shape == null) {
        throw error("missing key: an NPY header needs 'descr', 'fortran_order' and 'shape'");
      }
      return new NpyHeader(descr, fortranOrder, shape);
    }

    private String string() throws IOException {
      char quote = peek();
      if (quote != '\'' && quote != '"') {
        throw error("expected a quoted string");
      }
      int end = text.indexOf(quote, pos + 1);
      if (end < 0) {
        throw error("unterminated string");
      }
      String s = text.substring(pos + 1, end);
      pos = end + 1;
      return s;
    }

    private boolean bool() throws IOException {
      peek();
      if (text.startsWith("True", pos)) {
        pos += 4;
        return true;
      }
      if (text.startsWith("False", pos)) {
        pos += 5;
        return false;
      }
      throw error("expected True or False");
    }

    private int[] tuple() throws IOException {
      expect('(');
      List<Integer> dims = new ArrayList<>();
      while (peek() != ')') {
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
          pos++;
        }
        if (start == pos) {
          throw error("expected a non-negative integer dimension");
        }
        try {
          dims.add(Integer.parseInt(text.substring(start, pos)));
        } catch (NumberFormatException e) {
          throw error("dimension " + text.substring(start, pos) + " is larger than " + Integer.MAX_VALUE);
        }
        if (peek() != ',') {
          break;
        }
        pos++;
      }
      expect(')');
      int[] shape = new int[dims.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = dims.get(i);
      }
      return shape;
    }

    private void expect(char c) throws IOException {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    /** The next character after white space, not consumed; 0 at the end of the text. */
    private char peek() {
      skipSpace();
      return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    private IOException error(String what) {
      return new IOException(source + ": malformed NPY header: " + what + " at character " + pos + " of \""
          + text.trim() + "\"");
    }
  }
}
