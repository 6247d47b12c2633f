package org.lrgrad.kernels.parity;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.lrgrad.data.NpyArray;
import org.lrgrad.data.Npz;

/** One case of {@code cases.json} (see the vectors' README): what it is, its parameters, its arrays and tolerance. */
final class VectorCase {
  final String name;
  final String family;
  final double rel;
  final double abs;
  private final File file;
  private final JSONObject params;
  private final Map<String, int[]> shapes = new LinkedHashMap<>();
  private final Map<String, String> dtypes = new LinkedHashMap<>();

  private VectorCase(File folder, JSONObject json) {
    name = json.getString("name");
    family = json.getString("family");
    file = new File(folder, json.getString("file"));
    params = json.getJSONObject("params");
    JSONObject tolerance = json.getJSONObject("tolerance");
    rel = tolerance.getDouble("rel");
    abs = tolerance.getDouble("abs");
    JSONObject arrays = json.getJSONObject("arrays");
    JSONObject types = json.getJSONObject("dtypes");
    for (String array : arrays.keySet()) {
      JSONArray shape = arrays.getJSONArray(array);
      int[] dims = new int[shape.length()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = shape.getInt(i);
      }
      shapes.put(array, dims);
      dtypes.put(array, types.getString(array));
    }
  }

  /** Every case of {@code folder/cases.json}, in file order. */
  static List<VectorCase> readAll(File folder) {
    File index = new File(folder, "cases.json");
    List<VectorCase> cases = new ArrayList<>();
    try {
      JSONArray list = new JSONArray(new String(Files.readAllBytes(index.toPath()), StandardCharsets.UTF_8));
      for (int i = 0; i < list.length(); i++) {
        cases.add(new VectorCase(folder, list.getJSONObject(i)));
      }
    } catch (IOException | JSONException e) {
      throw new IllegalStateException("PyTorch vectors: cannot read " + index + ": " + e.getMessage(), e);
    }
    return Collections.unmodifiableList(cases);
  }

  /** The case's arrays, each checked against the shape and dtype that {@code cases.json} declares. */
  Npz arrays() {
    Npz npz;
    try {
      npz = Npz.read(file);
    } catch (IOException e) {
      throw new AssertionError(name + ": " + e.getMessage(), e);
    }
    for (Map.Entry<String, int[]> declared : shapes.entrySet()) {
      String array = declared.getKey();
      if (!npz.contains(array)) {
        fail(name + ": cases.json declares array '" + array + "', but " + file + " has " + npz.names());
      }
      NpyArray a = npz.get(array);
      if (!Arrays.equals(a.shape(), declared.getValue()) || !a.dtype().numpyName().equals(dtypes.get(array))) {
        fail(name + ": array '" + array + "' is " + a + ", but cases.json declares " + dtypes.get(array) + " "
            + Arrays.toString(declared.getValue()));
      }
    }
    return npz;
  }

  boolean has(String key) {
    return params.has(key) && !params.isNull(key);
  }

  double number(String key) {
    try {
      return params.getDouble(requireSet(key));
    } catch (JSONException e) {
      throw new AssertionError(name + ": params." + key + " is not a number: " + params.get(key), e);
    }
  }

  /** A hyper-parameter as the float32 scalar the kernels take. */
  float real(String key) {
    return (float) number(key);
  }

  int integer(String key) {
    double value = number(key);
    if (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE) {
      fail(name + ": params." + key + "=" + value + " is not an int");
    }
    return (int) value;
  }

  boolean flag(String key) {
    try {
      return params.getBoolean(requireSet(key));
    } catch (JSONException e) {
      throw new AssertionError(name + ": params." + key + " is not a boolean: " + params.get(key), e);
    }
  }

  String text(String key) {
    return params.get(requireSet(key)).toString();
  }

  private String requireSet(String key) {
    if (!has(key)) {
      fail(name + ": params." + key + " is " + (params.has(key) ? "null" : "missing") + " in cases.json");
    }
    return key;
  }

  @Override
  public String toString() {
    return name;
  }
}
