package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The method catalog: names in any case, documented defaults, and an error that lists the valid names. */
class MethodsTest {
  @Test
  void everyMethodMakesItsOwnOptimizerWithItsDefaults() {
    List<String> names = new ArrayList<>();
    for (Methods.Method m : Methods.all()) {
      names.add(m.name());
      Optimizer o = m.create(Float.NaN, 4);
      assertEquals(m.name(), o.name());
      assertSame(m, Methods.named(m.name().toUpperCase(java.util.Locale.ROOT)), "any case");
      assertSame(m, Methods.named(m.id()), "the short id");
      String expectedRate = m.name().equals("Adafactor") || m.name().equals("Flora") ? "relative step"
          : "lr=" + (m.name().equals("SGD") || m.name().equals("Momentum") || m.name().equals("Nesterov")
          ? "0.01" : "0.001");
      assertTrue(o.toString().contains(expectedRate), m + ": " + o);
      assertEquals(Arrays.asList("LRG-Adam", "GaLore-Adam", "LoRA-Adam", "Flora", "APOLLO").contains(m.name()),
          m.isLowRank(), m.name());
      if (m.isLowRank()) {
        assertTrue(o.toString().contains("rank=4"), o.toString());
      }
      assertTrue(m.create(0.5f, 2).toString().contains("lr=0.5"), m + " takes the given rate");
    }
    assertEquals(Arrays.asList("SGD", "Momentum", "Nesterov", "Adam", "AdamW", "Adafactor", "LRG-Adam",
        "GaLore-Adam", "LoRA-Adam", "Flora", "APOLLO", "APOLLO-Mini"), names);
    assertTrue(Methods.create("momentum", Float.NaN, 1).toString().contains("momentum=0.9"));
  }

  @Test
  void anUnknownNameListsTheValidOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Methods.named("Adamax"));
    assertEquals("method 'Adamax' is unknown; expected one of (any case): SGD, Momentum, Nesterov, Adam, AdamW,"
        + " Adafactor, LRG-Adam, GaLore-Adam, LoRA-Adam, Flora, APOLLO, APOLLO-Mini", e.getMessage());
    assertEquals("rank=0 must be >= 1", assertThrows(IllegalArgumentException.class,
        () -> Methods.create("LRG-Adam", 0.1f, 0)).getMessage());
    assertEquals("learningRate=-1.0 must be > 0", assertThrows(IllegalArgumentException.class,
        () -> Methods.create("SGD", -1f, 1)).getMessage());
  }
}
