package org.lrgrad.android;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.lrgrad.data.NpyArray;
import org.lrgrad.data.Npz;
import org.lrgrad.kernels.Checks;

/**
 * A model's weights as a numpy {@code .npz} archive: one float32, C-order array per parameter, named and shaped as
 * the {@link ModelDescription} says ({@code 0.weight} out×in, {@code 0.bias} out, ...), which is what
 * {@code numpy.savez(path, **{k: v.numpy() for k, v in model.state_dict().items()})} writes for the matching
 * {@code torch.nn.Sequential}. Reading is strict: every parameter present with its exact shape and dtype, no other
 * array, every value finite. Reading goes through the data module's {@link Npz} with the model's names, dtype and
 * shapes as expectations, so that nothing is inflated beyond the model's weights; writing is the NPY 1.0 format in a
 * deflated ZIP, with a fixed entry time so that equal weights give equal bytes.
 */
final class WeightsNpz {
  private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  /** Every entry's time (2000-01-01), so the same weights always give the same bytes. */
  private static final long ENTRY_TIME = 946684800000L;
  /** NPY 1.0 pads magic + length + header to a multiple of 64 bytes. */
  private static final int NPY_ALIGNMENT = 64;

  private WeightsNpz() {}

  /**
   * Reads and checks the weights of {@code model}, in {@link ModelDescription#parameterNames()} order. Each member's
   * name, dtype and shape are checked before its data is inflated, so an archive that does not fit the model costs no
   * more memory than the model's weights, whatever it declares or inflates to.
   */
  static float[][] read(InputStream in, String source, ModelDescription model) throws IOException {
    List<String> names = model.parameterNames();
    List<Npz.Expected> expected = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      expected.add(Npz.Expected.array(names.get(i), NpyArray.DType.FLOAT32, model.shapeOf(i)));
    }
    Npz npz;
    try {
      npz = Npz.read(in, source, expected);
    } catch (Npz.MismatchException e) {
      throw notTheModelsWeights(source, model, names, e);
    }
    float[][] weights = new float[names.size()][];
    for (int i = 0; i < weights.length; i++) {
      String name = names.get(i);
      float[] values = npz.get(name).floats();
      Checks.allFinite(source + " array '" + name + "'", values, "weights must be finite");
      weights[i] = values;
    }
    return weights;
  }

  /** The facade's contract: arrays that do not fit the model are an {@link IllegalArgumentException}. */
  private static IllegalArgumentException notTheModelsWeights(String source, ModelDescription model,
      List<String> names, Npz.MismatchException e) {
    String detail;
    switch (e.kind()) {
      case WRONG_SHAPE:
        detail = "array '" + e.array() + "' has shape " + Arrays.toString(e.shape()) + ", '" + model + "' needs "
            + Arrays.toString(e.expected().shape());
        break;
      case WRONG_DTYPE:
        detail = "array '" + e.array() + "' is " + e.dtype().numpyName() + ", the weights must be float32";
        break;
      case MISSING:
        detail = "it needs exactly " + names + "; missing " + e.missing();
        break;
      default:
        detail = "it needs exactly " + names + "; unexpected [" + e.array() + "]";
        break;
    }
    detail = source + " does not hold the weights of '" + model + "': " + detail;
    return new IllegalArgumentException(detail, e);
  }

  /** Writes {@code weights} (in parameter order) as an npz archive; flushes {@code out}, does not close it. */
  static void write(OutputStream out, ModelDescription model, float[][] weights) throws IOException {
    List<String> names = model.parameterNames();
    ZipOutputStream zip = new ZipOutputStream(out);
    for (int i = 0; i < names.size(); i++) {
      ZipEntry entry = new ZipEntry(names.get(i) + ".npy");
      entry.setTime(ENTRY_TIME);
      zip.putNextEntry(entry);
      zip.write(npyHeader(model.shapeOf(i)));
      ByteBuffer data = ByteBuffer.allocate(4 * weights[i].length).order(ByteOrder.LITTLE_ENDIAN);
      data.asFloatBuffer().put(weights[i]);
      zip.write(data.array());
      zip.closeEntry();
    }
    zip.finish();
    // As a checkpoint save: a caller's buffered stream holds the whole archive once this returns.
    zip.flush();
  }

  private static byte[] npyHeader(int[] shape) {
    StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < shape.length; i++) {
      dict.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    dict.append(shape.length == 1 ? ",), }" : "), }");
    int unpadded = NPY_MAGIC.length + 2 + dict.length() + 1;
    int padding = (NPY_ALIGNMENT - unpadded % NPY_ALIGNMENT) % NPY_ALIGNMENT;
    for (int i = 0; i < padding; i++) {
      dict.append(' ');
    }
    dict.append('\n');
    byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer header = ByteBuffer.allocate(NPY_MAGIC.length + 2 + text.length).order(ByteOrder.LITTLE_ENDIAN);
    header.put(NPY_MAGIC).putShort((short) text.length).put(text);
    return header.array();
  }

  /** The bytes from a buffer's position to its limit, as a stream; the buffer itself is not moved. */
  static InputStream stream(ByteBuffer buffer) {
    final ByteBuffer view = buffer.duplicate();
    return new InputStream() {
      @Override
      public int read() {
        return view.hasRemaining() ? view.get() & 0xff : -1;
      }

      @Override
      public int read(byte[] into, int off, int len) {
        if (len == 0) {
          return 0;
        }
        if (!view.hasRemaining()) {
          return -1;
        }
        int n = Math.min(len, view.remaining());
        view.get(into, off, n);
        return n;
      }
    };
  }
}
