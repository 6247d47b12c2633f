package org.lrgrad.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/**
 * Layers applied one after the other, as {@code torch.nn.Sequential}: parameters are named {@code "i.weight"},
 * {@code "i.bias"} after the layer's index. The widths of neighbouring layers are checked here. Backward passes the
 * error through two buffers that take turns (each maxBatch × the widest layer output), so its memory does not grow
 * with depth. A model gets its buffers from the {@link Trainer} it is built into, once.
 */
public final class Sequential {
  private final Layer[] layers;
  private final int inputWidth;
  private final int outputWidth;
  private final int maxWidth;
  private final List<Parameter> parameters;
  private float[] errorA;
  private float[] errorB;
  private boolean declared;

  public Sequential(Layer... layers) {
    Checks.notNull("layers", layers);
    if (layers.length == 0) {
      throw new IllegalArgumentException("a Sequential needs at least one layer");
    }
    for (int i = 0; i < layers.length; i++) {
      Checks.notNull("layers[" + i + "]", layers[i]);
    }
    if (layers[0].inputWidth() < 0) {
      throw new IllegalArgumentException("layer 0 (" + layers[0] + ") takes any width, so the model's input width"
          + " is unknown; start with a layer that fixes it (e.g. Linear)");
    }
    this.layers = layers.clone();
    int width = layers[0].inputWidth();
    int widest = 0;
    for (int i = 0; i < layers.length; i++) {
      Layer layer = layers[i];
      // A model owns its layers: one layer object in two places would share (and clobber) its buffers.
      if (layer.isClaimed()) {
        throw new IllegalArgumentException(layer + " (layer " + i + ") already belongs to a model; use a new layer");
      }
      for (int j = 0; j < i; j++) {
        if (layers[j] == layer) {
          throw new IllegalArgumentException(layer + " is both layer " + j + " and layer " + i + "; use a new layer");
        }
      }
      int wants = layer.inputWidth();
      if (wants >= 0 && wants != width) {
        throw new IllegalArgumentException("layer " + i + " (" + layer + ") takes inputs of width " + wants
            + ", but " + (i == 0 ? "the model input" : "layer " + (i - 1) + " (" + layers[i - 1] + ") outputs")
            + " width " + width);
      }
      width = layer.outputWidth(width);
      widest = Math.max(widest, width);
    }
    List<Parameter> params = new ArrayList<>();
    for (int i = 0; i < layers.length; i++) {
      layers[i].claim(i);
      params.addAll(layers[i].parameters());
    }
    this.inputWidth = layers[0].inputWidth();
    this.outputWidth = width;
    this.maxWidth = widest;
    this.parameters = Collections.unmodifiableList(params);
  }

  public int inputWidth() {
    return inputWidth;
  }

  public int outputWidth() {
    return outputWidth;
  }

  public List<Layer> layers() {
    return Collections.unmodifiableList(Arrays.asList(layers));
  }

  /** Every parameter, in layer order. */
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public String toString() {
    return "Sequential" + Arrays.toString(layers);
  }

  // --- for the trainer ------------------------------------------------------------------------------------------

  boolean isDeclared() {
    return declared;
  }

  void declare(BufferAllocator allocator, int maxBatch) {
    for (Layer layer : layers) {
      layer.declare(allocator, maxBatch);
    }
    int errorSize = Math.multiplyExact(maxBatch, maxWidth);
    errorA = allocator.floats(MemoryTag.ACTIVATIONS, "backward error (a)", errorSize);
    errorB = layers.length == 1 ? null : allocator.floats(MemoryTag.ACTIVATIONS, "backward error (b)", errorSize);
    declared = errorA != null;
  }

  void initialize(SeededRandom rng) {
    for (Layer layer : layers) {
      layer.initialize(rng);
    }
  }

  /** Runs every layer; returns the buffer holding the output (batch × outputWidth). */
  float[] forward(Kernels k, int batch, float[] input) {
    float[] x = input;
    for (Layer layer : layers) {
      x = layer.forward(k, batch, x);
    }
    return x;
  }

  /** The buffer the caller fills with the error at the model's output before {@link #backward}. */
  float[] outputError() {
    return errorA;
  }

  /** Forms every parameter's gradient from the error in {@link #outputError()}; the model's input gets none. */
  void backward(Kernels k, int batch) {
    backward(k, batch, null);
  }

  /** Hears that a layer's backward is done: its gradients are complete and its input error formed. */
  interface AfterLayer {
    /** Returns false to end the backward pass here. */
    boolean layerDone(int layer);
  }

  /**
   * {@link #backward(Kernels, int)}, calling {@code afterLayer} (when not null) after each layer, from the last;
   * returns false when it ended the pass early.
   */
  boolean backward(Kernels k, int batch, AfterLayer afterLayer) {
    float[] dy = errorA;
    for (int i = layers.length - 1; i >= 0; i--) {
      dy = layers[i].backward(k, batch, dy, dy == errorA ? errorB : errorA, i > 0);
      if (afterLayer != null && !afterLayer.layerDone(i)) {
        return false;
      }
    }
    return true;
  }
}
