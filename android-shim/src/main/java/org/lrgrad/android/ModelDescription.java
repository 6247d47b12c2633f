package org.lrgrad.android;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.lrgrad.train.Layer;
import org.lrgrad.train.Linear;
import org.lrgrad.train.Relu;
import org.lrgrad.train.Sequential;

/**
 * The architecture of the model a trainer personalizes, written as one line: {@code mlp W0-W1-...-Wn}, a multilayer
 * perceptron with input width W0, hidden widths W1..Wn−1 (each followed by a ReLU) and Wn classes, as
 * {@code torch.nn.Sequential(Linear(W0, W1), ReLU(), ..., Linear(Wn−1, Wn))}. {@code mlp 784-10} is a linear
 * classifier; {@code mlp 784-128-10} has one hidden layer. Parsed strictly: the word {@code mlp}, one space, at
 * least two positive decimal widths without signs or leading zeros joined by {@code -}, at least 2 classes; nothing
 * else, not even surrounding spaces. Its parameters are named as PyTorch's {@code state_dict} names them:
 * {@code 0.weight} (W1×W0), {@code 0.bias} (W1), {@code 2.weight}, {@code 2.bias}, ...
 */
public final class ModelDescription {
  private static final String KIND = "mlp";
  /**
   * Wider than any model a phone trains. It does not keep products of widths small (2^20 · 2^20 overflows an int):
   * {@link #parse} checks each weight matrix's size separately, and the memory budget bounds the whole model.
   */
  static final int MAX_WIDTH = 1 << 20;
  /** The most floats one Java array (a weight matrix) can hold on every JVM and on Android's runtime. */
  static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final String text;
  private final int[] widths;

  private ModelDescription(String text, int[] widths) {
    this.text = text;
    this.widths = widths;
  }

  /** Parses a description; throws {@link IllegalArgumentException} saying what is wrong and where. */
  public static ModelDescription parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("model description is null; expected e.g. 'mlp 784-128-10'");
    }
    String prefix = KIND + " ";
    if (!text.startsWith(prefix)) {
      throw error(text, 0, "it must start with '" + prefix + "'");
    }
    List<Integer> parsed = new ArrayList<>();
    int pos = prefix.length();
    while (true) {
      int start = pos;
      while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
        pos++;
      }
      if (pos == start) {
        throw error(text, start, "expected a width (decimal digits)");
      }
      if (text.charAt(start) == '0') {
        throw error(text, start, "a width must be >= 1 and have no leading zero");
      }
      if (pos - start > 7 || Integer.parseInt(text.substring(start, pos)) > MAX_WIDTH) {
        throw error(text, start, "width " + text.substring(start, pos) + " exceeds " + MAX_WIDTH);
      }
      parsed.add(Integer.parseInt(text.substring(start, pos)));
      if (pos == text.length()) {
        break;
      }
      if (text.charAt(pos) != '-') {
        throw error(text, pos, "expected '-' between widths or the end of the description");
      }
      pos++;
    }
    if (parsed.size() < 2) {
      throw error(text, text.length(), "an mlp needs at least two widths (inputs and classes)");
    }
    int[] widths = new int[parsed.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = parsed.get(i);
    }
    for (int i = 0; i + 1 < widths.length; i++) {
      long size = (long) widths[i] * widths[i + 1];
      if (size > MAX_ARRAY) {
        throw error(text, 0, "layer " + i + "'s weight (" + widths[i + 1] + "x" + widths[i] + ") has " + size
            + " values, expected at most " + MAX_ARRAY + " (one array)");
      }
    }
    if (widths[widths.length - 1] < 2) {
      throw error(text, text.lastIndexOf('-') + 1, "the last width is the number of classes and must be >= 2");
    }
    return new ModelDescription(text, widths);
  }

  private static IllegalArgumentException error(String text, int position, String what) {
    return new IllegalArgumentException("model description '" + text + "' at character " + position + ": " + what
        + " (the form is 'mlp W0-W1-...-Wn', e.g. 'mlp 784-128-10')");
  }

  /** The input width W0. */
  public int inputs() {
    return widths[0];
  }

  /** The number of classes Wn. */
  public int classes() {
    return widths[widths.length - 1];
  }

  /** W0..Wn (a copy). */
  public int[] widths() {
    return widths.clone();
  }

  /** The parameters' names in order, as in a PyTorch {@code state_dict}: {@code 0.weight, 0.bias, 2.weight, ...}. */
  public List<String> parameterNames() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i + 1 < widths.length; i++) {
      names.add(2 * i + ".weight");
      names.add(2 * i + ".bias");
    }
    return Collections.unmodifiableList(names);
  }

  /** The shape of a parameter: {@code {out, in}} for {@code 2i.weight}, {@code {out}} for {@code 2i.bias}. */
  int[] shapeOf(int parameterIndex) {
    int layer = parameterIndex / 2;
    return parameterIndex % 2 == 0 ? new int[] {widths[layer + 1], widths[layer]} : new int[] {widths[layer + 1]};
  }

  /** A new model of this architecture (the training code's layers). */
  Sequential newModel() {
    Layer[] layers = new Layer[2 * widths.length - 3];
    for (int i = 0; i + 1 < widths.length; i++) {
      layers[2 * i] = new Linear(widths[i], widths[i + 1]);
      if (2 * i + 1 < layers.length) {
        layers[2 * i + 1] = new Relu();
      }
    }
    return new Sequential(layers);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelDescription && Arrays.equals(widths, ((ModelDescription) o).widths);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(widths);
  }

  /** The description as written. */
  @Override
  public String toString() {
    return text;
  }
}
