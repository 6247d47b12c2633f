/* What both variants share: the step-only scalars of Adam. */
#include <math.h>

#include "ops.h"

lrgrad_adam_scalars lrgrad_adam_scalars_of(int32_t step, float lr, float beta1, float beta2) {
  double bc1 = 1.0 - pow((double)beta1, (double)step);
  double bc2 = 1.0 - pow((double)beta2, (double)step);
  lrgrad_adam_scalars s;
  s.torch_step_size = (float)((double)lr / bc1);
  s.sqrt_bc2 = (float)sqrt(bc2);
  s.galore_step_size = (float)((double)lr * sqrt(bc2) / bc1);
  s.inv_bc1 = (float)(1.0 / bc1);
  s.galore_factor = (float)(sqrt(bc2) / bc1);
  return s;
}
