package org.lrgrad.android;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lrgrad.train.Layer;
import org.lrgrad.train.Parameter;
import org.lrgrad.train.Relu;
import org.lrgrad.train.Trainer;

class ModelDescriptionTest {

  @Test
  void anMlpHasPyTorchsLayersAndParameterNames() {
    ModelDescription d = ModelDescription.parse("mlp 784-128-64-10");
    assertArrayEquals(new int[] {784, 128, 64, 10}, d.widths());
    assertEquals(784, d.inputs());
    assertEquals(10, d.classes());
    assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"), d.parameterNames());
    List<Layer> layers = d.newModel().layers();
    assertEquals(5, layers.size());
    assertEquals("Linear(784 -> 128)", layers.get(0).toString());
    assertInstanceOf(Relu.class, layers.get(1));
    assertEquals("Linear(128 -> 64)", layers.get(2).toString());
    assertInstanceOf(Relu.class, layers.get(3));
    assertEquals("Linear(64 -> 10)", layers.get(4).toString());
    // The training code names the parameters the same way, in the same order, with the shapes the weights need.
    var model = ModelDescription.parse("mlp 5-3-2").newModel();
    Trainer.builder(model, 1).group(new org.lrgrad.train.Sgd(0.1f), model.parameters()).build();
    List<Parameter> params = model.parameters();
    ModelDescription small = ModelDescription.parse("mlp 5-3-2");
    for (int i = 0; i < params.size(); i++) {
      assertEquals(small.parameterNames().get(i), params.get(i).name());
      int[] shape = small.shapeOf(i);
      assertEquals(params.get(i).size(), shape.length == 2 ? shape[0] * shape[1] : shape[0]);
    }
  }

  @Test
  void aLinearClassifierIsAnMlpWithTwoWidths() {
    ModelDescription d = ModelDescription.parse("mlp 8-4");
    assertEquals(List.of("0.weight", "0.bias"), d.parameterNames());
    assertArrayEquals(new int[] {4, 8}, d.shapeOf(0));
    assertArrayEquals(new int[] {4}, d.shapeOf(1));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "MLP 8-4|at character 0: it must start with 'mlp '",
      "mlp  8-4|at character 4: expected a width",
      "' mlp 8-4'|at character 0: it must start with 'mlp '",
      "'mlp 8-4 '|at character 7: expected '-' between widths",
      "mlp 8|at character 5: an mlp needs at least two widths",
      "mlp 8--4|at character 6: expected a width",
      "mlp 8-4-|at character 8: expected a width",
      "mlp 08-4|at character 4: a width must be >= 1 and have no leading zero",
      "mlp 0-4|at character 4: a width must be >= 1",
      "mlp -8-4|at character 4: expected a width",
      "mlp 8-1|at character 6: the last width is the number of classes and must be >= 2",
      "mlp 8x4|at character 5: expected '-'",
      "mlp 99999999-4|at character 4: width 99999999 exceeds 1048576",
      "lstm 8-4|at character 0: it must start with 'mlp '"})
  void aDescriptionThatDoesNotParseSaysWhereAndWhy(String text, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelDescription.parse(text));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
  }

  @Test
  void nullIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ModelDescription.parse(null));
  }
}
